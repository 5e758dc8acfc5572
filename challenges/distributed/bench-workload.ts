/**
 * One Raft benchmark run, for `bun run bench distributed` (or `bun run bench raft`):
 * starts <nodes> nodes of the implementation given as the first argument (a command
 * line) on the workbench's simulated network, each message delayed <lo>-<hi> ms (drawn
 * per message), waits for a leader, then 8 clients each send lin-kv requests (half
 * writes, half reads, on 8 keys, through random nodes, as Maelstrom's clients do), one
 * at a time, for 3 s. The history is then checked for linearizability as in stage 6.
 *
 * Prints `<metric> <value>` lines: operations answered per second and latency
 * percentiles (µs), and the same run's bound: one round trip between nodes (twice the
 * mean delay the network drew for the messages between nodes in this run), the least a
 * write can take (the leader must hear a follower's acknowledgement before it commits),
 * and the throughput 8 clients would reach if every request took only that.
 */
import { loadChallenge } from "../../harness/challenge/load.ts";
import { findStage } from "../../harness/challenge/stages.ts";
import { ROOT } from "../../harness/paths.ts";
import { Random } from "../../harness/random.ts";
import { StageFailure } from "../../harness/report/failure.ts";
import { CaseContext } from "../../harness/stage/context.ts";
import { KvHistory } from "./workbench/lin-kv.ts";
import { keys } from "./workbench/message.ts";
import { Network } from "./workbench/network.ts";

const [program, nodesArg, latencyArg] = Bun.argv.slice(2);
const count = Number(nodesArg);
const [lo, hi] = (latencyArg ?? "").split("-").map(Number) as [number, number];
if (!program || !(count >= 1) || !(lo >= 0) || !(hi >= lo)) {
  console.error("usage: bench-workload.ts <implementation command> <nodes> <lo>-<hi> (ms of latency per message)");
  process.exit(2);
}

const CLIENTS = 8;
const SECONDS = 3;

const challenge = loadChallenge("distributed");
const t = new CaseContext(challenge, findStage(challenge, "6")!, `bench: ${count} nodes, ${lo}-${hi} ms`, { command: program, base: ROOT, source: "flag or SYSCRAFT_IMPL" }, new Random("bench", `${count}/${latencyArg}`), false);
let code = 0;
try {
  const net = new Network(t, [lo, hi]);
  const ids = await net.boot(count);
  const h = new KvHistory(t, net);
  const ks = keys(t, 8);
  for (const key of ks) await h.until(net.client(1), ids, key, { f: "write", value: h.fresh() }, 5000, "after init (the first leader must be elected by then)");
  const from = h.ops.length;
  const started = performance.now();
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      while (Date.now() < until) await h.op(net.client(c + 2), t.rand.pick(ids), t.rand.pick(ks), t.rand.int(0, 1) === 0 ? { f: "write", value: h.fresh() } : { f: "read" }, 1000);
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  net.check();
  h.check();
  const ops = h.ops.slice(from);
  const done = ops.filter((o) => o.outcome.kind === "ok" || o.outcome.kind === "missing");
  const lat = done.map((o) => (o.end - o.start) * 1000).sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? 0;
  const between = net.record.messages.filter((m) => m.arrive !== undefined && /^n\d+$/.test(m.from) && /^n\d+$/.test(m.to));
  const roundTripUs = (2 * 1000 * between.reduce((s, m) => s + (m.arrive! - m.at), 0)) / Math.max(1, between.length);
  const lines: [string, number][] = [
    ["ops_per_s", done.length / elapsed],
    ["p50_us", pct(50)],
    ["p90_us", pct(90)],
    ["p99_us", pct(99)],
    ["max_us", lat.at(-1) ?? 0],
    ["refused", ops.filter((o) => o.outcome.kind === "failed").length],
    ["no_reply", ops.filter((o) => o.outcome.kind === "unknown").length],
    ["bound_rt_us", roundTripUs],
    ["bound_ops_s", (CLIENTS * 1e6) / Math.max(1, roundTripUs)],
    ["p50_rt_pct", (pct(50) / Math.max(1, roundTripUs)) * 100],
  ];
  console.log(lines.map(([k, v]) => `${k} ${v}`).join("\n"));
} catch (e) {
  console.error(e instanceof StageFailure ? `${e.message}\n${e.details.received ?? ""}\n${e.details.hint ?? ""}` : e);
  code = 1;
} finally {
  await t.cleanup();
}
process.exit(code);
