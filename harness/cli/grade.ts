/**
 * bun run grade [<challenge> | <challenge>/<stage> | <challenge>/<extension>[/<stage>]]…
 *               [--only] [--impl=<command>] [--real] [--junit=<file>] [--json=<file>] [--seed=<n>]
 *
 * Grades an implementation (by default each challenge's reference solution)
 * through the stages: runs `bun test --stage=…` per target, then prints a
 * summary (per challenge, for the base stages and each extension) and writes
 * JUnit XML and a JSON summary if asked. Exit code 0 only when every selected
 * stage passes.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { challengeSlugs, loadChallenge } from "../challenge/load.ts";
import type { Challenge, StageInfo } from "../challenge/schema.ts";
import { implOrigin, programProblem, resolveImpl, type Impl } from "../impl.ts";
import { junitXml } from "../junit.ts";
import { runStagesInSubprocess } from "../stage/subprocess.ts";
import { readLearnerStage } from "../learner-stage.ts";
import { markdownSummary, summarize, type ChallengeSummary } from "../summary.ts";
import { findStage } from "../challenge/stages.ts";
import { parseSelection, resolveSelection, runnableStages } from "../stage/selection.ts";
import type { CaseResult } from "../stage/types.ts";
import { challengeArg, parseCommandLine, usageError } from "./args.ts";

const OPTIONS = {
  only: { type: "boolean" },
  impl: { type: "string" },
  real: { type: "boolean" },
  junit: { type: "string" },
  json: { type: "string" },
  seed: { type: "string" },
  "memory-limit": { type: "string" },
  "stage-file": { type: "string" },
  "summary-md": { type: "string" },
} as const;

const USAGE = `usage: bun run grade [<challenge> | <challenge>/<n> | <challenge>/<extension>[/<n>]]… [--only] [--impl=<command>] [--real] [--junit=<file>] [--json=<file>] [--seed=<n>]

  <challenge>              every stage of it: the base stages, then each extension's (e.g. redis)
  <challenge>/<n>          base stages 1..n (e.g. redis/3)
  <challenge>/<ext>/<n>    stage n of an extension, with its regression: every base stage, the
                           extensions it requires, and its stages 1..n-1 (e.g. redis/lists/2)
  <challenge>/<ext>        the same, up to the extension's last stage (e.g. redis/lists)
  --only                   the stage alone (an extension: its own stages alone)
  --impl=<command>         the program to grade (default: syscraft.local.yaml, else the reference solution)
  --real                   grade the challenge's real implementation (e.g. redis-server)
  --junit=<file>           write JUnit XML
  --json=<file>            write a JSON summary
  --memory-limit=<size>    memory cap for each program (default 2G; 0 for none), where cgroups are available
  --stage-file=<file>      grade the stage a learner's syscraft.yml names (stage: redis/4), with its regression
  --summary-md=<file>      append a Markdown table of the stages (e.g. --summary-md="$GITHUB_STEP_SUMMARY")
Exit code: 0 when every selected stage passes, 1 otherwise, 2 on bad arguments.`;

const { values: flags, positionals } = parseCommandLine("grade", USAGE, OPTIONS);

interface Target {
  challenge: Challenge;
  /** The selection as bun test takes it, e.g. --stage=redis/lists/2. */
  flag: string;
  selected: StageInfo[];
}

function target(text: string, only: boolean): Target {
  const sel = parseSelection(text, only);
  const challenge = challengeArg("grade", sel.challenge);
  const { run, notRun } = runnableStages(resolveSelection(challenge, sel), flags.real === true);
  for (const { stage } of notRun) console.log(`syscraft: ${challenge.slug}/${stage.id} ${stage.name} is not graded against the real implementation (real_differs): ${stage.realDiffers}`);
  const selected = run.map((s) => s.stage);
  return { challenge, flag: `${only ? "--stage-only" : "--stage"}=${text}`, selected };
}

function targets(): Target[] {
  const invokedFrom = process.env.SYSCRAFT_INVOKED_FROM ?? process.cwd();
  const fromFile = flags["stage-file"] === undefined ? [] : [readLearnerStage(resolve(invokedFrom, flags["stage-file"]))];
  const named = [...positionals, ...fromFile];
  return (named.length > 0 ? named : challengeSlugs()).map((p) => target(p, flags.only === true));
}

if (flags.impl !== undefined) process.env.SYSCRAFT_IMPL = flags.impl;
if (flags.real) process.env.SYSCRAFT_REAL = "1";
let list: Target[];
/** The program each challenge is graded with, and where it came from (checked before anything runs). */
const impls = new Map<string, Impl>();
try {
  list = targets();
  for (const t of list) {
    const impl = resolveImpl(t.challenge);
    const unrunnable = programProblem(impl);
    if (unrunnable) usageError("grade", unrunnable);
    impls.set(t.challenge.slug, impl);
  }
} catch (e) {
  usageError("grade", (e as Error).message);
}

const passThrough: string[] = [];
if (flags.impl !== undefined) passThrough.push(`--impl=${flags.impl}`);
if (flags.seed !== undefined) passThrough.push(`--seed=${flags.seed}`);
if (flags["memory-limit"] !== undefined) passThrough.push(`--memory-limit=${flags["memory-limit"]}`);
if (flags.real) passThrough.push("--real");
for (const t of list) {
  const impl = impls.get(t.challenge.slug)!;
  console.log(`syscraft: grading ${t.challenge.slug} with ${impl.command} (${implOrigin(impl)})`);
}

const summaries: ChallengeSummary[] = [];
const allResults: CaseResult[] = [];
let bunFailed = false;
for (const t of list) {
  console.log(`\n=== ${t.challenge.name}: $ bun test ${[t.flag, ...passThrough].join(" ")}`);
  const { exitCode, results } = await runStagesInSubprocess({ selection: t.flag, flags: passThrough, stdio: "inherit" });
  if (exitCode !== 0) bunFailed = true;
  allResults.push(...results);
  const impl = impls.get(t.challenge.slug)!;
  summaries.push({ ...summarize(t.challenge, t.selected, results, impl.command), implFrom: implOrigin(impl) });
}

function firstFailing(c: Challenge, id: string | null): string {
  return id === null ? "" : `; first failing: ${c.slug}/${id} ${findStage(c, id)?.name ?? ""}`;
}

const allPassed = (g: { passed: string[]; selected: string[] }) => g.passed.length === g.selected.length;
const ok = !bunFailed && summaries.every(allPassed);
console.log("\n=== Summary");
for (const s of summaries) {
  const c = loadChallenge(s.challenge);
  console.log(`${allPassed(s) ? "✓" : "✗"} ${s.challenge.padEnd(10)} ${s.passed.length}/${s.selected.length} stages passed (score ${s.score}%)${firstFailing(c, s.firstFailing)}   impl: ${s.impl} (${s.implFrom})`);
  for (const g of s.groups) {
    console.log(`    ${allPassed(g) ? "✓" : "✗"} ${(g.extension ?? "base").padEnd(12)} ${g.passed.length}/${g.selected.length} passed${firstFailing(c, g.firstFailing)}`);
  }
}

const junit = flags.junit;
if (junit) writeFileSync(junit, junitXml(allResults, summaries.map((s) => ({ challenge: s.challenge, impl: s.impl, implFrom: s.implFrom ?? "" }))));
if (flags["summary-md"]) appendFileSync(flags["summary-md"], markdownSummary(summaries, (c, id) => `${c}/${id}`));
const json = flags.json;
const totalSelected = summaries.reduce((n, s) => n + s.selected.length, 0);
const totalPassed = summaries.reduce((n, s) => n + s.passed.length, 0);
const score = totalSelected === 0 ? 0 : Math.round((100 * totalPassed) / totalSelected);
if (json) writeFileSync(json, `${JSON.stringify({ ok, score, challenges: summaries }, null, 2)}\n`);
process.exit(ok ? 0 : 1);
