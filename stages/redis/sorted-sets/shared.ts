// Helpers shared by the sorted-sets extension's stages (not a stage itself).

/** How redis-cli (--no-raw) prints an array of bulk strings: `1) "a"` per line (numbers padded), `(empty array)` when empty. */
export function cliArray(items: readonly string[]): string {
  if (items.length === 0) return "(empty array)";
  const width = String(items.length).length;
  return items.map((item, i) => `${String(i + 1).padStart(width)}) ${JSON.stringify(item)}`).join("\n");
}

/** Members and scores as ZRANGE ... WITHSCORES lists them: member, score, member, score, ... */
export function withScores(pairs: readonly (readonly [string, string])[]): string {
  return cliArray(pairs.flat());
}

export const WRONGTYPE = "(error) WRONGTYPE Operation against a key holding the wrong kind of value";
export const NOT_FLOAT = "(error) ERR value is not a valid float";

/** Byte order of member names (what Redis uses for equal scores), not locale order. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** `n` different random lowercase words. */
export function distinctMembers(rand: { word(): string; int(lo: number, hi: number): number }, n: number): string[] {
  const out = new Set<string>();
  while (out.size < n) out.add(out.size < 10 ? rand.word() : `${rand.word()}${rand.int(10, 99)}`);
  return [...out];
}

export const TIES = "Members with equal scores are ordered by their bytes (memcmp order: \"Zebra\" < \"apple\" < \"apple2\" < \"banana\"), not by insertion order and not by locale-aware comparison.";
