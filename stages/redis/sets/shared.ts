// Helpers shared by the sets and hashes extensions' stages (not a stage itself).
//
// Redis replies with the members of a set, and the fields of a hash, in
// hash-table order, which no client may rely on: these helpers compare such
// replies as sorted lists.
import type { RedisCli } from "../../../challenges/redis/clients/redis.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";

export const WRONGTYPE = "(error) WRONGTYPE Operation against a key holding the wrong kind of value";

/** The items of an array as redis-cli (--no-raw) prints it (`1) "a"` per line; `(empty array)`), each as printed (`"a"`, `(nil)`). */
export function arrayItems(out: string): string[] | null {
  if (out === "(empty array)") return [];
  const lines = out.split("\n");
  const items: string[] = [];
  for (const [i, line] of lines.entries()) {
    const m = /^\s*(\d+)\) (.*)$/.exec(line);
    if (!m || Number(m[1]) !== i + 1) return null;
    items.push(m[2]!);
  }
  return items;
}

/** How redis-cli prints one bulk string made of printable ASCII: in double quotes. */
export function quoted(s: string): string {
  return JSON.stringify(s);
}

/** What an unordered array of `items` looks like once sorted, one per line (or "(empty array)"). */
function sortedView(items: readonly string[]): string {
  return items.length === 0 ? "(empty array)" : [...items].sort().join("\n");
}

export interface UnorderedCheck {
  /** What was being checked, in one sentence. */
  message: string;
  hint: string;
}

/**
 * Runs `args` and fails unless the reply is an array holding exactly
 * `expected` (bulk strings), in any order. The report shows both sorted.
 */
export async function expectUnordered(t: CaseContext, cli: RedisCli, args: readonly string[], expected: readonly string[], e: UnorderedCheck): Promise<string[]> {
  const out = await cli.run(args);
  const items = arrayItems(out);
  const want = sortedView(expected.map(quoted));
  if (items === null) t.fail({ message: `${e.message} The reply to ${args.join(" ")} is not an array.`, expected: want, received: out, hint: e.hint });
  t.expectEqual(sortedView(items), want, { message: `${e.message} (${args.join(" ")}; compared sorted, since the order is unspecified)`, hint: e.hint });
  return items;
}

/**
 * Runs HGETALL `key` and fails unless it lists exactly the field-value pairs
 * of `expected`, pairs in any order (each field directly followed by its value).
 */
export async function expectHash(t: CaseContext, cli: RedisCli, key: string, expected: ReadonlyMap<string, string>, e: UnorderedCheck): Promise<void> {
  const args = ["HGETALL", key];
  const out = await cli.run(args);
  const items = arrayItems(out);
  const show = (pairs: string[]) => (pairs.length === 0 ? "(empty array)" : pairs.sort().join("\n"));
  const want = show([...expected].map(([f, v]) => `${quoted(f)} => ${quoted(v)}`));
  if (items === null || items.length % 2 !== 0) {
    t.fail({ message: `${e.message} HGETALL ${key} must reply with an array of field, value, field, value, ...`, expected: want, received: out, hint: e.hint });
  }
  const pairs: string[] = [];
  for (let i = 0; i < items.length; i += 2) pairs.push(`${items[i]} => ${items[i + 1]}`);
  t.expectEqual(show(pairs), want, { message: `${e.message} (HGETALL ${key}, shown as field => value pairs, sorted: the order is unspecified)`, hint: e.hint });
}

/** `n` different short random names made of `prefix`, a word and a number (e.g. "m:plum42"). */
export function randomNames(rand: CaseContext["rand"], n: number, prefix = ""): string[] {
  const out = new Set<string>();
  while (out.size < n) out.add(`${prefix}${rand.word()}${rand.int(10, 99)}`);
  return [...out];
}

/**
 * Runs a command that replies with an array of members and checks it: exactly
 * `length` items, each one of `members`, and all different if `distinct`.
 */
export async function expectSample(t: CaseContext, cli: RedisCli, args: string[], members: readonly string[], length: number, distinct: boolean, hint: string): Promise<string[]> {
  const out = await cli.run(args);
  const items = arrayItems(out);
  const allowed = new Set(members.map(quoted));
  const what = `an array of ${length} ${distinct ? "different " : ""}elements of {${members.join(", ")}}`;
  const fail = (problem: string): never => t.fail({ message: `${args.join(" ")}: ${problem}.`, expected: what, received: out, hint });
  if (items === null) fail("the reply is not an array of bulk strings");
  if (items!.length !== length) fail(`expected ${length} elements, got ${items!.length}`);
  const stranger = items!.find((m) => !allowed.has(m));
  if (stranger !== undefined) fail(`${stranger} is not one of them`);
  if (distinct && new Set(items).size !== items!.length) fail("an element appears twice");
  return items!.map((m) => JSON.parse(m) as string);
}
