/**
 * Myers' O(ND) diff (E. Myers, "An O(ND) Difference Algorithm and Its
 * Variations", 1986): the shortest edit script turning `a` into `b`, as the
 * blocks of lines that change. git's xdiff finds the same minimal script
 * (then may slide ambiguous blocks; the tests' edits have only one).
 * https://git-scm.com/docs/gitdiffcore
 */

/** A block of change: `del` lines of `a` from `a0` replaced by `ins` lines of `b` from `b0` (0-based). */
export interface Change {
  a0: number;
  del: number;
  b0: number;
  ins: number;
}

/** Which lines of a and b are kept: pairs (i, j) with a[i] === b[j], increasing, as many as possible. */
export function myersMatches(a: readonly string[], b: readonly string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  // Walk back through the saved frontiers, collecting the diagonal moves (kept lines).
  const kept: [number, number][] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = vd[offset + prevK]!;
    const prevY = prevX - prevK;
    const startX = prevK === k + 1 ? prevX : prevX + 1;
    while (x > startX) {
      x--;
      y--;
      kept.push([x, y]);
    }
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    kept.push([x, y]);
  }
  return kept.reverse();
}

/** The changes between two kept-line lists: the gaps between matches. */
export function changesFrom(matches: [number, number][], n: number, m: number): Change[] {
  const out: Change[] = [];
  let i = 0;
  let j = 0;
  for (const [mi, mj] of [...matches, [n, m] as [number, number]]) {
    if (mi > i || mj > j) out.push({ a0: i, del: mi - i, b0: j, ins: mj - j });
    i = mi + 1;
    j = mj + 1;
  }
  return out;
}

/** The minimal changes turning `a` into `b`. */
export function myersDiff(a: readonly string[], b: readonly string[]): Change[] {
  return changesFrom(myersMatches(a, b), a.length, b.length);
}
