/**
 * bun run bench <challenge> [--impl=<command>]: runs the challenge's
 * benchmark against the implementation (default: the reference solution) and
 * against the real implementation, in the same run, and prints both with
 * their ratio. Workloads with their own `prepare` get their own start of
 * the program (see Workload.prepare in harness/bench.ts).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Benchmark } from "../bench.ts";
import { requireBinary } from "../clients/require.ts";
import { absolutize, implOrigin, programProblem, resolveImpl, type Impl } from "../impl.ts";
import { CHALLENGES_DIR, ROOT } from "../paths.ts";
import { allocatePort, releasePort } from "../process/ports.ts";
import { GroupProcess } from "../process/spawn.ts";
import { makeTempDir, removeTempDir } from "../process/tempdir.ts";
import { StageFailure } from "../report/failure.ts";
import { Transcript } from "../report/transcript.ts";
import { launchProgram, type Program } from "../stage/program.ts";
import { challengeArg, parseCommandLine, usageError } from "./args.ts";

const { values: flags, positionals } = parseCommandLine("bench", "usage: bun run bench <challenge> [--impl=<command>]   benchmarks the program (default: syscraft.local.yaml's, else the reference solution) against the real implementation", {
  impl: { type: "string" },
});
if (positionals.length !== 1) usageError("bench", "give one challenge, e.g. bun run bench redis");
/** Names a benchmark also answers to: `bun run bench raft` is the distributed challenge's (lin-kv on its Raft). */
const ALIASES: Record<string, string> = { raft: "distributed" };
const slug = ALIASES[positionals[0]!] ?? positionals[0]!;
if (flags.impl !== undefined) process.env.SYSCRAFT_IMPL = flags.impl;
const challenge = challengeArg("bench", slug);
const file = join(CHALLENGES_DIR, slug, "bench.ts");
if (!existsSync(file)) {
  console.error(`bench: the ${slug} challenge has no benchmark yet (${file})`);
  process.exit(2);
}
const bench = ((await import(file)) as { default: Benchmark }).default;

let ours: Impl;
try {
  ours = resolveImpl(challenge);
} catch (e) {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(2);
}
const unrunnable = programProblem(ours);
if (unrunnable) {
  console.error(`bench: ${unrunnable}`);
  process.exit(2);
}
console.log(`syscraft: benchmarking ${ours.command} (${implOrigin(ours)})${challenge.real ? ` against ${challenge.real.command} (the real implementation)` : ""}`);
const targets: { label: string; impl: Impl }[] = [{ label: "ours", impl: ours }];
if (challenge.real) {
  requireBinary(challenge.real.command.split(/\s+/)[0]!, challenge.real.package);
  targets.push({ label: "real", impl: { command: challenge.real.command, base: ROOT, source: "real implementation" } });
}

async function measure(impl: Impl): Promise<Map<string, Map<string, number>>> {
  let port = await allocatePort();
  const dir = makeTempDir(`bench-${slug}`);
  const log = new Transcript(false);
  let program: Program | undefined;
  try {
    bench.prepare?.(dir);
    const command = absolutize(impl.command, impl.base);
    const out = new Map<string, Map<string, number>>();
    for (const [i, w] of bench.workloads.entries()) {
      // The program is started before the first workload, and again (new port) when a workload's prepare differs from the previous one's.
      const previous = bench.workloads[i - 1];
      if (previous && w.prepare !== previous.prepare) {
        await program?.stop();
        program = undefined;
        releasePort(port);
        port = await allocatePort();
      }
      if (!previous || w.prepare !== previous.prepare) {
        w.prepare?.(dir);
        // A command-line program (kind: command) is not started here: the workload runs it.
        if (challenge.program.kind === "server" && !bench.startsProgram) program = await launchProgram({ challenge, impl, port, dir, signal: new AbortController().signal, log });
      }
      out.set(w.name, await runClient(w, port, command, dir));
    }
    return out;
  } catch (e) {
    if (e instanceof StageFailure) throw new Error(`${impl.command}: ${e.message}\n${e.details.hint ?? ""}`);
    throw e;
  } finally {
    await program?.stop();
    releasePort(port);
    removeTempDir(dir);
  }
}

/** One client run of workload `w` against a program on `port`: its metrics. */
async function runClient(w: Benchmark["workloads"][number], port: number, command: string, dir: string): Promise<Map<string, number>> {
  requireBinary(bench.client.binary, bench.client.package);
  const client = new GroupProcess(w.argv(port, command), { cwd: dir });
  const code = await client.waitExit(120_000);
  await client.stop(0);
  if (code !== 0) throw new Error(`${w.argv(port, command).join(" ")} exited with ${code}:\n${client.output.tail(10)}`);
  return w.parse(client.stdout.text());
}

/** Benchmark.interleave: every target started for each group of workloads, each workload run ours, real, real, ours; the mean of each target's two runs. */
async function measureInterleaved(): Promise<Map<string, Map<string, number>>[]> {
  const runs = targets.map((t) => ({ impl: t.impl, command: absolutize(t.impl.command, t.impl.base), dir: makeTempDir(`bench-${slug}`), log: new Transcript(false), port: 0, program: undefined as Program | undefined }));
  const out = targets.map(() => new Map<string, Map<string, number>>());
  try {
    for (const r of runs) bench.prepare?.(r.dir);
    for (const [i, w] of bench.workloads.entries()) {
      const previous = bench.workloads[i - 1];
      if (!previous || w.prepare !== previous.prepare) {
        for (const r of runs) {
          await r.program?.stop();
          r.program = undefined;
          if (r.port) releasePort(r.port);
          r.port = await allocatePort();
          w.prepare?.(r.dir);
          r.program = await launchProgram({ challenge, impl: r.impl, port: r.port, dir: r.dir, signal: new AbortController().signal, log: r.log });
        }
      }
      const order = [...runs.keys(), ...[...runs.keys()].reverse()];
      const got = runs.map(() => [] as Map<string, number>[]);
      for (const k of order) got[k]!.push(await runClient(w, runs[k]!.port, runs[k]!.command, runs[k]!.dir));
      got.forEach((maps, k) => {
        const mean = new Map<string, number>();
        for (const metric of maps[0]!.keys()) mean.set(metric, maps.reduce((sum, m) => sum + (m.get(metric) ?? 0), 0) / maps.length);
        out[k]!.set(w.name, mean);
      });
    }
    return out;
  } catch (e) {
    if (e instanceof StageFailure) throw new Error(`${e.message}\n${e.details.hint ?? ""}`);
    throw e;
  } finally {
    for (const r of runs) {
      await r.program?.stop();
      if (r.port) releasePort(r.port);
      removeTempDir(r.dir);
    }
  }
}

const results = [];
if (bench.interleave && challenge.program.kind === "server" && !bench.startsProgram) {
  console.log(`bench: interleaved: each workload runs against ${targets.map((t) => t.label).join(", ")}, then again in the reverse order; the mean of the two runs is shown`);
  results.push(...(await measureInterleaved()));
} else {
  for (const t of targets) {
    console.log(`bench: ${t.label}: ${t.impl.command}`);
    results.push(await measure(t.impl));
  }
}

console.log(`\n${challenge.name} benchmark (${bench.unit}; ratio = ours / real)`);
for (const w of bench.workloads) {
  console.log(`\n${w.name}`);
  const ours = results[0]!.get(w.name)!;
  const real = results[1]?.get(w.name);
  console.log(`  ${"metric".padEnd(14)} ${"ours".padStart(12)} ${real ? "real".padStart(12) : ""} ${real ? "ratio".padStart(7) : ""}`);
  for (const [metric, value] of ours) {
    const r = real?.get(metric);
    console.log(`  ${metric.padEnd(14)} ${value.toFixed(0).padStart(12)} ${r !== undefined ? r.toFixed(0).padStart(12) : ""} ${r ? (value / r).toFixed(2).padStart(7) : ""}`);
  }
}
// Every program and client has been stopped above, but the process reaper's
// handlers and the clients' pipes can keep the event loop alive: end here.
process.exit(0);
