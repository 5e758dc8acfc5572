// A sorted set value: members (byte strings) with float scores, ordered by
// score, ties by member bytes. The sorted-sets extension replaces the
// internals with an ordered structure (skip list); this interface is what
// the rest of the server (RDB, AOF rewrite, replication) relies on.

export class SortedSet {
  private readonly scores = new Map<string, number>();

  get size(): number {
    return this.scores.size;
  }

  score(member: string): number | undefined {
    return this.scores.get(member);
  }

  /** Adds or updates a member. */
  add(member: string, score: number): void {
    this.scores.set(member, score);
  }

  /** Removes a member; true if it was there. */
  remove(member: string): boolean {
    return this.scores.delete(member);
  }

  /** [member, score] in order (score, then member bytes). */
  *entries(): Generator<[string, number]> {
    const all = [...this.scores];
    all.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    yield* all;
  }
}
