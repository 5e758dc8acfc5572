/**
 * bun run grade [<challenge> | <challenge>/<stage>]… [--impl=<command>] [--real]
 *               [--junit=<file>] [--json=<file>] [--seed=<n>]
 *
 * Grades an implementation (by default each challenge's reference solution)
 * through the stages: runs `bun test --stage=…` per challenge, then prints a
 * summary and writes JUnit XML and a JSON summary if asked. Exit code 0 only
 * when every selected stage passes.
 */
import { writeFileSync } from "node:fs";
import { flagValue } from "../cmdline.ts";
import { loadAllChallenges, loadChallenge } from "../challenge/load.ts";
import type { Challenge } from "../challenge/schema.ts";
import { resolveImpl } from "../impl.ts";
import { junitXml } from "../junit.ts";
import { runStagesInSubprocess } from "../stage/subprocess.ts";
import { summarize, type ChallengeSummary } from "../summary.ts";
import type { CaseResult } from "../stage/types.ts";

const argv = process.argv.slice(2);
if (argv.includes("--help") || argv.includes("-h")) {
  console.log(`usage: bun run grade [<challenge> | <challenge>/<stage>]… [--impl=<command>] [--real] [--junit=<file>] [--json=<file>] [--seed=<n>]

  <challenge>          every stage of it (e.g. redis)
  <challenge>/<n>      stages 1..n (e.g. redis/3); with --only, stage n alone
  --impl=<command>     the program to grade (default: syscraft.local.yaml, else the reference solution)
  --real               grade the challenge's real implementation (e.g. redis-server)
  --junit=<file>       write JUnit XML
  --json=<file>        write a JSON summary
Exit code: 0 when every selected stage passes, 1 otherwise, 2 on bad arguments.`);
  process.exit(0);
}

interface Target {
  challenge: Challenge;
  upTo: number;
  only: boolean;
}

function targets(): Target[] {
  const only = argv.includes("--only");
  const positional = argv.filter((a) => !a.startsWith("--"));
  if (positional.length === 0) return loadAllChallenges().map((c) => ({ challenge: c, upTo: c.stages.length, only: false }));
  return positional.map((p) => {
    const [slug, n] = p.split("/");
    const challenge = loadChallenge(slug!);
    const upTo = n === undefined ? challenge.stages.length : Number(n);
    if (!Number.isInteger(upTo) || upTo < 1 || upTo > challenge.stages.length) throw new Error(`${p}: ${challenge.slug} has stages 1 to ${challenge.stages.length}`);
    return { challenge, upTo, only };
  });
}

let list: Target[];
try {
  list = targets();
} catch (e) {
  console.error(`grade: ${(e as Error).message}`);
  process.exit(2);
}

const passThrough = ["impl", "seed"].flatMap((name) => {
  const v = flagValue(argv, name);
  return v === undefined ? [] : [`--${name}=${v}`];
});
if (argv.includes("--real")) passThrough.push("--real");

const summaries: ChallengeSummary[] = [];
const allResults: CaseResult[] = [];
let bunFailed = false;
for (const t of list) {
  const selection = `${t.only ? "--stage-only" : "--stage"}=${t.challenge.slug}/${t.upTo}`;
  console.log(`\n=== ${t.challenge.name}: $ bun test ${[selection, ...passThrough].join(" ")}`);
  const { exitCode, results } = await runStagesInSubprocess({ selection, flags: passThrough, stdio: "inherit" });
  if (exitCode !== 0) bunFailed = true;
  allResults.push(...results);
  const selected = t.only ? [t.upTo] : Array.from({ length: t.upTo }, (_, i) => i + 1);
  summaries.push(summarize(t.challenge, selected, results, resolveImplLabel(t.challenge)));
}

function resolveImplLabel(c: Challenge): string {
  try {
    if (argv.includes("--real")) return c.real?.command ?? "(none)";
    const explicit = flagValue(argv, "impl");
    return explicit ?? resolveImpl(c).command;
  } catch {
    return "(unknown)";
  }
}

const ok = !bunFailed && summaries.every((s) => s.passed.length === s.selected.length);
console.log("\n=== Summary");
for (const s of summaries) {
  const c = loadChallenge(s.challenge);
  const mark = s.passed.length === s.selected.length ? "✓" : "✗";
  const failing = s.firstFailing === null ? "" : `; first failing: ${s.firstFailing} ${c.stages[s.firstFailing - 1]?.name ?? ""}`;
  console.log(`${mark} ${s.challenge.padEnd(10)} ${s.passed.length}/${s.selected.length} stages passed (score ${s.score}%)${failing}   impl: ${s.impl}`);
}

const junit = flagValue(argv, "junit");
if (junit) writeFileSync(junit, junitXml(allResults));
const json = flagValue(argv, "json");
if (json) writeFileSync(json, `${JSON.stringify({ ok, challenges: summaries }, null, 2)}\n`);
process.exit(ok ? 0 : 1);
