// A sorted set value: members (byte strings) with float scores, ordered by
// score, ties by member bytes.
//
// As in Redis (https://redis.io/docs/latest/develop/data-types/sorted-sets/,
// "Sorted sets are implemented via a dual-ported data structure containing
// both a skip list and a hash table"): a hash map gives a member's score in
// O(1), and a skip list keeps the members in order. Each forward link of the
// skip list records its span (how many nodes it jumps), so the rank of a
// member, the member at a rank and the bounds of a score or lex range are all
// found in O(log n) by descending the levels (Redis's t_zset.c zskiplist).
//
// `size`, `score`, `add`, `remove` and `entries()` are what the rest of the
// server (RDB, AOF rewrite, replication) relies on.

/** Redis's ZSKIPLIST_MAXLEVEL and ZSKIPLIST_P. */
const MAX_LEVEL = 32;
const P = 0.25;

interface Node {
  readonly member: string;
  readonly score: number;
  /** next[i]: the following node on level i (null at the end). */
  readonly next: (Node | null)[];
  /** span[i]: how many level-0 steps next[i] jumps. */
  readonly span: number[];
  prev: Node | null;
}

/** A bound of a score range: `(1.5` is exclusive, `1.5` inclusive (ZRANGE BYSCORE, ZCOUNT). */
export interface ScoreRange {
  min: number;
  max: number;
  minExclusive: boolean;
  maxExclusive: boolean;
}

/** A bound of a lex range: "-" and "+" are the smallest and largest strings; `[a` inclusive, `(a` exclusive. */
export type LexBound = "-" | "+" | { readonly value: string; readonly exclusive: boolean };

export interface LexRange {
  min: LexBound;
  max: LexBound;
}

/** Which part of a range to return: skip `offset` matches, then at most `count` (negative: all), as ZRANGE ... LIMIT. */
export interface Window {
  offset: number;
  count: number;
}

const ALL: Window = { offset: 0, count: -1 };

/** (score, member) order: true if `n` comes strictly before (score, member). */
function before(n: Node, score: number, member: string): boolean {
  return n.score < score || (n.score === score && n.member < member);
}

/** Scratch space for insert/unlink (the server runs one command at a time). */
const update = new Array<Node>(MAX_LEVEL);
const rankAt = new Array<number>(MAX_LEVEL).fill(0);

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < P) level++;
  return level;
}

/** Tests of a node against one end of a range; both are monotone along the list. */
interface Bounds {
  /** The node is before the range's start. */
  below(n: Node): boolean;
  /** The node is past the range's end. */
  above(n: Node): boolean;
}

function scoreBounds(r: ScoreRange): Bounds {
  return {
    below: (n) => (r.minExclusive ? n.score <= r.min : n.score < r.min),
    above: (n) => (r.maxExclusive ? n.score >= r.max : n.score > r.max),
  };
}

function lexBounds(r: LexRange): Bounds {
  const { min, max } = r;
  return {
    below: (n) => (min === "-" ? false : min === "+" ? true : min.exclusive ? n.member <= min.value : n.member < min.value),
    above: (n) => (max === "+" ? false : max === "-" ? true : max.exclusive ? n.member >= max.value : n.member > max.value),
  };
}

export class SortedSet {
  private readonly scores = new Map<string, number>();
  private readonly head: Node = { member: "", score: -Infinity, next: new Array<Node | null>(MAX_LEVEL).fill(null), span: new Array<number>(MAX_LEVEL).fill(0), prev: null };
  private tail: Node | null = null;
  private level = 1;

  get size(): number {
    return this.scores.size;
  }

  score(member: string): number | undefined {
    return this.scores.get(member);
  }

  /** Adds or updates a member. -0 is stored as 0. */
  add(member: string, score: number): void {
    const old = this.scores.get(member);
    const value = score === 0 ? 0 : score;
    if (old !== undefined) {
      if (old === value) return;
      this.unlink(old, member);
    }
    this.scores.set(member, value);
    this.insert(value, member);
  }

  /** Removes a member; true if it was there. */
  remove(member: string): boolean {
    const old = this.scores.get(member);
    if (old === undefined) return false;
    this.scores.delete(member);
    this.unlink(old, member);
    return true;
  }

  /** [member, score] in order (score, then member bytes). */
  *entries(): Generator<[string, number]> {
    for (let n = this.head.next[0]!; n !== null; n = n.next[0]!) yield [n.member, n.score];
  }

  /** The 0-based rank of `member` in ascending order, or undefined if it is not in the set. */
  rank(member: string): number | undefined {
    const score = this.scores.get(member);
    if (score === undefined) return undefined;
    let x = this.head;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = x.next[i]!; f !== null && (before(f, score, member) || f.member === member); f = x.next[i]!) {
        rank += x.span[i]!;
        x = f;
        if (x.member === member && x !== this.head) return rank - 1;
      }
    }
    return undefined;
  }

  /**
   * Members at ranks start..stop (0-based, inclusive, already clamped to the
   * set), ascending; with `reverse`, ranks count from the highest score and
   * the members come highest first (ZREVRANGE).
   */
  *byRank(start: number, stop: number, reverse = false): Generator<[string, number]> {
    if (start > stop || start >= this.size) return;
    let n = this.nodeAt(reverse ? this.size - start : start + 1);
    for (let i = start; i <= stop && n !== null; i++) {
      yield [n.member, n.score];
      n = reverse ? n.prev : n.next[0]!;
    }
  }

  /** Members whose score is in `range`, in order (highest first with `reverse`), windowed like LIMIT. */
  byScore(range: ScoreRange, reverse = false, window: Window = ALL): Generator<[string, number]> {
    return this.inRange(scoreBounds(range), reverse, window);
  }

  /** Members in the lex range (meaningful when all scores are equal), in order, windowed like LIMIT. */
  byLex(range: LexRange, reverse = false, window: Window = ALL): Generator<[string, number]> {
    return this.inRange(lexBounds(range), reverse, window);
  }

  /** How many members have a score in `range` (ZCOUNT), in O(log n). */
  countByScore(range: ScoreRange): number {
    return this.countIn(scoreBounds(range));
  }

  /** How many members are in the lex range (ZLEXCOUNT), in O(log n). */
  countByLex(range: LexRange): number {
    return this.countIn(lexBounds(range));
  }

  // --- the skip list ---

  private insert(score: number, member: string): void {
    const rank = rankAt;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1]!;
      for (let f = x.next[i]!; f !== null && before(f, score, member); f = x.next[i]!) {
        rank[i]! += x.span[i]!;
        x = f;
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.head;
        this.head.span[i] = this.scores.size - 1; // the list's length before this insert
      }
      this.level = level;
    }
    const node: Node = { member, score, next: new Array<Node | null>(level), span: new Array<number>(level), prev: null };
    for (let i = 0; i < level; i++) {
      const u = update[i]!;
      node.next[i] = u.next[i]!;
      u.next[i] = node;
      node.span[i] = u.span[i]! - (rank[0]! - rank[i]!);
      u.span[i] = rank[0]! - rank[i]! + 1;
    }
    for (let i = level; i < this.level; i++) update[i]!.span[i]!++;
    node.prev = update[0] === this.head ? null : update[0]!;
    const after = node.next[0]!;
    if (after !== null) after.prev = node;
    else this.tail = node;
  }

  private unlink(score: number, member: string): void {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = x.next[i]!; f !== null && before(f, score, member); f = x.next[i]!) x = f;
      update[i] = x;
    }
    const node = x.next[0]!;
    if (node === null || node.member !== member) return;
    for (let i = 0; i < this.level; i++) {
      const u = update[i]!;
      if (u.next[i] === node) {
        u.span[i]! += node.span[i]! - 1;
        u.next[i] = node.next[i]!;
      } else {
        u.span[i]!--;
      }
    }
    const after = node.next[0]!;
    if (after !== null) after.prev = node.prev;
    else this.tail = node.prev;
    while (this.level > 1 && this.head.next[this.level - 1] === null) this.level--;
  }

  /** The node at 1-based rank `rank`, or null. */
  private nodeAt(rank: number): Node | null {
    if (rank < 1 || rank > this.size) return null;
    let x = this.head;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.next[i] !== null && traversed + x.span[i]! <= rank) {
        traversed += x.span[i]!;
        x = x.next[i]!;
      }
      if (traversed === rank) return x;
    }
    return null;
  }

  /** The first node not below the range and its 1-based rank, if it is not also above it. */
  private first(b: Bounds): { node: Node; rank: number } | null {
    let x = this.head;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = x.next[i]!; f !== null && b.below(f); f = x.next[i]!) {
        rank += x.span[i]!;
        x = f;
      }
    }
    const node = x.next[0]!;
    if (node === null || b.above(node)) return null;
    return { node, rank: rank + 1 };
  }

  /** The last node not above the range and its 1-based rank, if it is not also below it. */
  private last(b: Bounds): { node: Node; rank: number } | null {
    let x = this.head;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = x.next[i]!; f !== null && !b.above(f); f = x.next[i]!) {
        rank += x.span[i]!;
        x = f;
      }
    }
    if (x === this.head || b.below(x)) return null;
    return { node: x, rank };
  }

  private countIn(b: Bounds): number {
    const first = this.first(b);
    if (first === null) return 0;
    const last = this.last(b);
    return last === null ? 0 : Math.max(0, last.rank - first.rank + 1);
  }

  /**
   * Like Redis's genericZrangebyscoreCommand: start at the first (last, with
   * `reverse`) node in range, skip `offset` (a negative offset yields
   * nothing), then yield while in range, at most `count` (negative: no limit).
   */
  private *inRange(b: Bounds, reverse: boolean, window: Window): Generator<[string, number]> {
    if (window.offset < 0 || window.count === 0) return;
    const start = reverse ? this.last(b) : this.first(b);
    if (start === null) return;
    let n = window.offset === 0 ? start.node : this.nodeAt(reverse ? start.rank - window.offset : start.rank + window.offset);
    let left = window.count;
    while (n !== null && left !== 0) {
      if (reverse ? b.below(n) : b.above(n)) return;
      yield [n.member, n.score];
      if (left > 0) left--;
      n = reverse ? n.prev : n.next[0]!;
    }
  }
}
