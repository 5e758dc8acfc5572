import { REDIS_TOOLS, RespConnection } from "../../../challenges/redis/clients/redis.ts";
import { encodeCommand, showReply } from "../../../challenges/redis/clients/resp.ts";
import { StageFailure } from "../../../harness/report/failure.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";
import { stage } from "../../../harness/stage/define.ts";
import { byteOrder } from "./shared.ts";

const MEMBERS = 20_000;
const PAIRS_PER_ZADD = 500;

type Entry = { member: string; score: number };

/** A seeded random set: scores are multiples of 1/8 (many of them fractional, some shared, some negative). */
function randomSet(t: CaseContext): Entry[] {
  const out: Entry[] = [];
  for (let i = 0; i < MEMBERS; i++) out.push({ member: `${t.rand.word()}:${i}`, score: t.rand.int(-40_000, 120_000) / 8 });
  return out;
}

/** Loads the set with `redis-cli --pipe`, the way bulk data is loaded into Redis. */
async function load(t: CaseContext, redis: Program, key: string, entries: Entry[]): Promise<void> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < entries.length; i += PAIRS_PER_ZADD) {
    const args = ["ZADD", key, ...entries.slice(i, i + PAIRS_PER_ZADD).flatMap((e) => [String(e.score), e.member])];
    chunks.push(encodeCommand(args));
  }
  const file = "zadd.resp";
  const data = Buffer.concat(chunks);
  await Bun.write(`${t.dir}/${file}`, data);
  const argv = ["redis-cli", "-p", String(redis.port), "--pipe"];
  const r = await t.client(REDIS_TOOLS, argv, { stdin: data, display: `${argv.join(" ")} < ${file}    # ${chunks.length} ZADD commands, ${PAIRS_PER_ZADD} members each`, timeoutMs: 15_000 });
  if (!/errors: 0, replies: \d+/.test(r.output)) {
    t.fail({ message: "Loading the sorted set with redis-cli --pipe did not succeed.", expected: `errors: 0, replies: ${chunks.length}`, received: r.output.trim(), hint: "Every pipelined ZADD must get its reply; redis-cli --pipe ends with an ECHO and waits for its reply." });
  }
}

/** Starts the program, loads a random set into a new key, and opens a connection for the probes. */
async function loaded(t: CaseContext, prefix: string): Promise<{ key: string; entries: Entry[]; conn: RespConnection }> {
  const redis = await t.start();
  const key = t.rand.key(prefix);
  const entries = randomSet(t);
  await load(t, redis, key, entries);
  return { key, entries, conn: await RespConnection.open(t, redis, "client") };
}

/** The model: members ordered by score, then by member bytes. */
function sorted(entries: Entry[]): Entry[] {
  return [...entries].sort((a, b) => a.score - b.score || byteOrder(a.member, b.member));
}

interface Probe {
  args: string[];
  expected: string;
  hint: string;
  /** What the learner needs to see the mistake (e.g. the member's score). */
  detail?: string;
}

/** Sends probes in pipelined batches and compares each reply (as redis-cli would show it) with the model's. */
async function check(t: CaseContext, conn: RespConnection, probes: Probe[]): Promise<void> {
  const BATCH = 100;
  for (let i = 0; i < probes.length; i += BATCH) {
    const batch = probes.slice(i, i + BATCH);
    await conn.send(Buffer.concat(batch.map((p) => encodeCommand(p.args))));
    for (const p of batch) {
      const { value } = await conn.reply(10_000, { message: `Reply to ${brief(p.args)}` });
      const got = showReply(value);
      if (got !== p.expected) {
        throw new StageFailure({ message: `Wrong reply to ${brief(p.args)} on the large sorted set (${MEMBERS} members loaded).`, expected: p.expected, received: got, hint: p.hint, ...(p.detail ? { detail: p.detail } : {}) });
      }
    }
    if (t.signal.aborted) return;
  }
}

/** A command for a message: long ZADD/ZREM argument lists are cut short. */
function brief(args: string[]): string {
  return args.length <= 10 ? args.join(" ") : `${args.slice(0, 6).join(" ")} … (${args.length - 6} more arguments)`;
}

function show(items: string[]): string {
  if (items.length === 0) return "(empty array)";
  return items.map((s, i) => `${i + 1}) ${JSON.stringify(s)}`).join("\n");
}

const RANK_HINT = "ZRANK is the 0-based position in (score, member bytes) order. Parse scores as doubles (not integers), order ties by member bytes, and keep the order correct after updates and removals.";
const RANGE_HINT = "ZRANGE min max BYSCORE LIMIT offset count: skip offset members with min <= score <= max (\"(\" exclusive), then return at most count, ordered by score then member bytes.";
const COUNT_HINT = "ZCOUNT counts members with min <= score <= max (\"(\" makes a bound exclusive). Scores are doubles: 12.625 is between 12.5 and 12.75.";

function bound(t: CaseContext, model: Entry[]): string {
  const s = t.rand.pick(model).score;
  return t.rand.int(0, 1) === 0 ? `(${s}` : String(s);
}

function inRange(score: number, lo: string, hi: string): boolean {
  const lower = lo.startsWith("(") ? score > Number(lo.slice(1)) : score >= Number(lo);
  const upper = hi.startsWith("(") ? score < Number(hi.slice(1)) : score <= Number(hi);
  return lower && upper;
}

function probes(t: CaseContext, key: string, model: Entry[]): Probe[] {
  const out: Probe[] = [];
  const rank = new Map(model.map((e, i) => [e.member, i]));
  for (let i = 0; i < 300; i++) {
    const e = t.rand.pick(model);
    out.push({ args: ["ZRANK", key, e.member], expected: `(integer) ${rank.get(e.member)}`, hint: RANK_HINT, detail: `${e.member} has score ${e.score}` });
  }
  for (let i = 0; i < 100; i++) {
    const e = t.rand.pick(model);
    out.push({ args: ["ZREVRANK", key, e.member], expected: `(integer) ${model.length - 1 - rank.get(e.member)!}`, hint: RANK_HINT, detail: `${e.member} has score ${e.score}` });
  }
  for (let i = 0; i < 100; i++) {
    let [lo, hi] = [bound(t, model), bound(t, model)];
    if (Number(lo.replace("(", "")) > Number(hi.replace("(", ""))) [lo, hi] = [hi, lo];
    const offset = t.rand.int(0, 20);
    const count = t.rand.int(1, 10);
    const matches = model.filter((e) => inRange(e.score, lo, hi));
    // Multiples of 1/8 print the same with %.17g as with JS's String().
    const page = matches.slice(offset, offset + count).flatMap((e) => [e.member, String(e.score)]);
    out.push({ args: ["ZRANGE", key, lo, hi, "BYSCORE", "LIMIT", String(offset), String(count), "WITHSCORES"], expected: show(page), hint: RANGE_HINT });
    out.push({ args: ["ZCOUNT", key, lo, hi], expected: `(integer) ${matches.length}`, hint: COUNT_HINT });
  }
  for (let i = 0; i < 50; i++) {
    const start = t.rand.int(0, model.length - 1);
    out.push({ args: ["ZRANGE", key, String(start), String(start + 4)], expected: show(model.slice(start, start + 5).map((e) => e.member)), hint: RANK_HINT });
  }
  return out;
}

export default stage(import.meta, [
  {
    name: "a set of 20,000 members answers ranks, ranges and counts correctly",
    async run(t) {
      const { key, entries, conn } = await loaded(t, "big");
      const model = sorted(entries);
      await check(t, conn, [{ args: ["ZCARD", key], expected: `(integer) ${MEMBERS}`, hint: "Every ZADD of the pipeline must add its members." }, ...probes(t, key, model)]);
    },
  },
  {
    name: "ranks stay right after many removals and score changes",
    async run(t) {
      const { key, entries, conn } = await loaded(t, "churn");
      // Remove a fifth of the members and move another fifth, pipelined.
      const shuffled = t.rand.shuffle(entries);
      const removed = shuffled.slice(0, MEMBERS / 5);
      const moved = shuffled.slice(MEMBERS / 5, (2 * MEMBERS) / 5).map((e) => ({ member: e.member, score: e.score + t.rand.int(-800, 800) / 8 }));
      const edits: Probe[] = [];
      for (let i = 0; i < removed.length; i += PAIRS_PER_ZADD) {
        const part = removed.slice(i, i + PAIRS_PER_ZADD);
        edits.push({ args: ["ZREM", key, ...part.map((e) => e.member)], expected: `(integer) ${part.length}`, hint: "ZREM replies with how many members it removed." });
      }
      for (let i = 0; i < moved.length; i += PAIRS_PER_ZADD) {
        const part = moved.slice(i, i + PAIRS_PER_ZADD);
        edits.push({ args: ["ZADD", key, "XX", ...part.flatMap((e) => [String(e.score), e.member])], expected: "(integer) 0", hint: "ZADD XX of existing members adds nothing." });
      }
      await check(t, conn, edits);
      const gone = new Set(removed.map((e) => e.member));
      const scores = new Map(moved.map((e) => [e.member, e.score]));
      const model = sorted(entries.filter((e) => !gone.has(e.member)).map((e) => ({ member: e.member, score: scores.get(e.member) ?? e.score })));
      await check(t, conn, [{ args: ["ZCARD", key], expected: `(integer) ${model.length}`, hint: "ZREM must remove each member it names." }, ...probes(t, key, model)]);
    },
  },
]);
