/**
 * Shared by the streams stages: stream replies written the way redis-cli
 * shows them, and reading a nested reply from a raw connection to compare it
 * in that same shape (so failure reports look like redis-cli output).
 */
import { redisCli, type RedisCli, type RespConnection } from "../../../challenges/redis/clients/redis.ts";
import { showReply, type RespValue } from "../../../challenges/redis/clients/resp.ts";
import { StageFailure } from "../../../harness/report/failure.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";

/** A stream entry: its ID and its field/value list. */
export type Entry = readonly [id: string, fields: readonly string[]];

/** `n` entries, one per millisecond from a random ms, each with a random sequence number (0-3) and the fields `fields(i)`. */
export function sampleEntries(t: CaseContext, n: number, fields: (i: number) => string[]): Entry[] {
  const ms = t.rand.int(100, 900);
  return Array.from({ length: n }, (_, i): Entry => [`${ms + i}-${t.rand.int(0, 3)}`, fields(i)]);
}

/** Starts the program and adds `entries` to a new stream with redis-cli (each XADD must reply its ID): how most cases begin. */
export async function startWithStream(t: CaseContext, entries: readonly Entry[], prefix = "events"): Promise<{ redis: Program; cli: RedisCli; key: string }> {
  const redis = await t.start();
  const cli = redisCli(t, redis);
  const key = t.rand.key(prefix);
  for (const [id, fields] of entries) await cli.expect(["XADD", key, id, ...fields], `"${id}"`);
  return { redis, cli, key };
}

const bulk = (s: string): RespValue => ({ type: "bulk", value: Buffer.from(s, "latin1") });
const arr = (items: RespValue[]): RespValue => ({ type: "array", value: items });

function entryValue([id, fields]: Entry): RespValue {
  return arr([bulk(id), arr(fields.map(bulk))]);
}

/** XRANGE's reply: [[id, [field, value, ...]], ...], as redis-cli shows it. */
export function showEntries(entries: readonly Entry[]): string {
  return showReply(arr(entries.map(entryValue)));
}

/** XREAD's reply: [[key, [[id, [f, v, ...]], ...]], ...], as redis-cli shows it; (nil) when no stream is served. */
export function showRead(streams: readonly (readonly [key: string, entries: readonly Entry[]])[]): string {
  if (streams.length === 0) return "(nil)";
  return showReply(arr(streams.map(([key, entries]) => arr([bulk(key), arr(entries.map(entryValue))]))));
}

/** Reads one reply and fails unless redis-cli would show it as `expected`. Returns the reply. */
export async function expectShown(conn: RespConnection, expected: string, e: { message: string; hint?: string; timeoutMs?: number }): Promise<RespValue> {
  const { value } = await conn.reply(e.timeoutMs ?? 3000, { message: e.message, ...(e.hint === undefined ? {} : { hint: e.hint }) });
  const got = showReply(value);
  if (got !== expected) throw new StageFailure({ message: e.message, expected, received: got, ...(e.hint === undefined ? {} : { hint: e.hint }) });
  return value;
}

/** Fails if `conn` receives anything within `ms` (a blocked command must stay blocked). */
export async function expectNoReply(conn: RespConnection, ms: number, e: { message: string; hint: string }): Promise<void> {
  const arrived = await conn.tcp.waitFor((buf) => buf.length > 0, ms);
  if (arrived) {
    const { value } = await conn.reply(1000, e);
    throw new StageFailure({ message: e.message, expected: `no reply yet (still blocked after ${ms} ms)`, received: showReply(value), hint: e.hint });
  }
}

/** Entry fields as a list: [f1, v1, f2, v2, ...]. */
export function fieldList(pairs: readonly (readonly [string, string])[]): string[] {
  return pairs.flatMap(([f, v]) => [f, v]);
}

/** One row of XPENDING's extended form: ID, owner, delivery count (the idle time is checked against a bound). */
export type PendingRow = readonly [id: string, consumer: string, deliveries: number];

/**
 * Sends an extended XPENDING and compares its rows: IDs, owners and delivery
 * counts exactly, idle times within [0, N] (shown as "<idle ≤ N>"), where N
 * is the time elapsed since `since` (ms since the epoch) when the reply
 * arrives: an entry delivered after `since` cannot have been idle longer.
 */
export async function expectPending(conn: RespConnection, args: readonly string[], rows: readonly PendingRow[], since: number, e: { message: string; hint: string }): Promise<void> {
  await conn.command(...args);
  const { value } = await conn.reply(3000, e);
  const maxIdleMs = Date.now() - since;
  const idle: RespValue = { type: "simple", value: `(integer) <idle ≤ ${maxIdleMs}>` };
  const expected = showReply(arr(rows.map(([id, consumer, n]) => arr([bulk(id), bulk(consumer), idle, { type: "integer", value: BigInt(n) }]))));
  // Replace each idle time that is within bounds by the placeholder, so only real differences show.
  const normalized: RespValue =
    value.type === "array" && value.value !== null
      ? arr(
          value.value.map((row) => {
            if (row.type !== "array" || row.value === null || row.value.length !== 4) return row;
            const t = row.value[2]!;
            const ok = t.type === "integer" && t.value >= 0n && t.value <= BigInt(maxIdleMs);
            return ok ? arr([row.value[0]!, row.value[1]!, idle, row.value[3]!]) : row;
          }),
        )
      : value;
  const got = showReply(normalized);
  if (got !== expected) throw new StageFailure({ message: e.message, expected, received: got, hint: e.hint, detail: `(without placeholders: ${showReply(value)})` });
}
