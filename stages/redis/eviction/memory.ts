// Shared by the eviction stages: set a memory limit relative to what the
// server reports using right now (real Redis and our estimate count memory
// differently), and write values of a known size.
import type { CaseContext } from "../../../harness/stage/context.ts";
import { Pipeline, show, type Command, type Plain } from "../keyspace/pipeline.ts";

export const OOM = "OOM command not allowed when used memory > 'maxmemory'.";
/** Bytes per value written by the eviction stages. */
export const VALUE_BYTES = 1000;

const CONFIG_HINT = "Support CONFIG SET <name> <value> for maxmemory (bytes), maxmemory-policy and maxmemory-samples, replying +OK.";

/** CONFIG SET name value, failing the case unless it replies OK. */
export async function configSet(t: CaseContext, p: Pipeline, name: string, value: string): Promise<void> {
  const reply = await p.call(["CONFIG", "SET", name, value], true);
  if (reply !== "OK") t.fail({ message: `CONFIG SET ${name} ${value} should reply OK.`, expected: "OK", received: show(reply), hint: CONFIG_HINT });
}

/**
 * Sets the policy (and maxmemory-samples 10, so real Redis's sampled LRU/LFU
 * picks well), then maxmemory = used_memory now + budget. Returns maxmemory.
 */
export async function limitMemory(t: CaseContext, p: Pipeline, policy: string, budget: number): Promise<number> {
  await configSet(t, p, "maxmemory-policy", policy);
  await configSet(t, p, "maxmemory-samples", "10");
  const used = await p.infoNumber("memory", "used_memory", "INFO memory must report used_memory:<bytes>, your estimate of the memory the server uses.");
  const max = used + budget;
  t.log.note(`used_memory is ${used}: setting maxmemory to ${max} (${budget} bytes more)`);
  await configSet(t, p, "maxmemory", String(max));
  return max;
}

/** The common start of an eviction case: the program, a pipelined connection, a memory limit, a value. */
export async function startLimited(t: CaseContext, policy: string, budget = 1_000_000): Promise<{ p: Pipeline; max: number; value: string }> {
  const redis = await t.start();
  const p = await Pipeline.open(t, redis);
  const max = await limitMemory(t, p, policy, budget);
  return { p, max, value: bigValue(t) };
}

/** A value of VALUE_BYTES letters. */
export function bigValue(t: CaseContext): string {
  const word = t.rand.word();
  return word.repeat(Math.ceil(VALUE_BYTES / word.length)).slice(0, VALUE_BYTES);
}

/** `n` key names with a random prefix. */
export function keyNames(t: CaseContext, kind: string, n: number): string[] {
  const prefix = `${t.rand.word()}:${kind}`;
  return Array.from({ length: n }, (_, i) => `${prefix}:${i}`);
}

/** SET each key (with extra SET arguments), pipelined. */
export function sets(keys: readonly string[], value: string, ...extra: string[]): Command[] {
  return keys.map((k) => ["SET", k, value, ...extra]);
}

/**
 * The keys that no longer exist, asked with EXISTS: it does not count as a
 * use of the key (no LRU/LFU update), and its small replies do not fill
 * output buffers (which count as used memory in real Redis).
 */
export async function missingKeys(p: Pipeline, keys: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (let i = 0; i < keys.length; i += 200) {
    const batch = keys.slice(i, i + 200);
    const replies = await p.run(batch.map((k) => ["EXISTS", k]));
    missing.push(...batch.filter((_, j) => replies[j] !== 1n));
  }
  return missing;
}

export async function evictedKeys(p: Pipeline): Promise<number> {
  return p.infoNumber("stats", "evicted_keys", "INFO stats must report evicted_keys:<n>, the number of keys evicted because of maxmemory.");
}

export async function dbsize(p: Pipeline): Promise<number> {
  return Number(await p.call(["DBSIZE"]));
}

export type { Plain };

/**
 * Checks that evicted_keys counts the keys that are gone: `written` distinct
 * keys were written and none deleted. Real Redis may evict a few more keys
 * between two commands (client buffers count as memory), so evicted_keys is
 * read before and after DBSIZE. Returns DBSIZE.
 */
export async function checkEvictedCount(t: CaseContext, p: Pipeline, written: number): Promise<number> {
  const before = await evictedKeys(p);
  const size = await dbsize(p);
  const after = await evictedKeys(p);
  if (size >= written) {
    t.fail({ message: `All ${written} keys written are still there: memory went over maxmemory, so some must have been evicted.`, hint: "Before each command, while used memory is above maxmemory, evict keys by the policy (and count the memory keys use)." });
  }
  if (before > written - size || after < written - size) {
    t.fail({ message: "evicted_keys should count every key evicted.", expected: `evicted_keys:${written - size} (${written} keys written, none deleted, DBSIZE ${size})`, received: `evicted_keys:${before}`, hint: "Add one to evicted_keys (INFO stats) for each key evicted." });
  }
  return size;
}
