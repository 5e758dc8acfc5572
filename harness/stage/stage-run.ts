/**
 * `bun test --stage=…` as the learner types it. Bun would load every test
 * file of the project (and print a header for each, empty or not); instead
 * the preload (harness/stage/preload.ts) runs the selected stages in an inner
 * `bun test stages/selected.test.ts`, shows the harness's reports and what bun
 * prints that is not noise (see BunOutputFilter), then ends with a summary
 * and what to do next.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { stageDocFile } from "../challenge/load.ts";
import type { Challenge, StageInfo } from "../challenge/schema.ts";
import { groupStages, stageName } from "../challenge/stages.ts";
import { bunFlags } from "../bun-flags.ts";
import { flagValue, harnessOptions, splitArgs } from "../cmdline.ts";
import { shellLine } from "../report/show.ts";
import type { Impl } from "../impl.ts";
import { ROOT } from "../paths.ts";
import { BunOutputFilter } from "../report/bun-output.ts";
import { say } from "../report/say.ts";
import { processStartTime } from "../process/proc.ts";
import { readResults } from "./results.ts";
import type { Selection, SelectedStage } from "./selection.ts";
import type { CaseResult } from "./types.ts";

/** bun's flags that select only some cases (-t, --test-name-pattern, --only), with their values, as typed: then not every case runs, by design. */
export function caseFilter(bunArgs: readonly string[]): string {
  const words = splitArgs(bunArgs, bunFlags()).filter((w) => w.kind === "flag" && ["test-name-pattern", "only"].includes(w.flag?.name ?? ""));
  return shellLine(words.flatMap((w) => (w.kind === "flag" ? w.words : [])));
}

function partial(bunArgs: readonly string[]): boolean {
  return caseFilter(bunArgs) !== "";
}

export interface StageRunPlan {
  selection: Selection;
  challenge: Challenge;
  stages: SelectedStage[];
  impl: Impl;
  /** bun's own flags from the command line, passed on to the inner run (e.g. --timeout=…, -t …). */
  bunArgs: string[];
}

/** The stage after `s` in its group (base stages, or its extension's), if any. */
function nextStage(c: Challenge, s: StageInfo): StageInfo | undefined {
  return groupStages(c, s.extension)[s.number];
}

function docPath(c: Challenge, s: StageInfo): string {
  return relative(ROOT, stageDocFile(c, s));
}

function stageOutcome(results: CaseResult[], s: StageInfo): { ran: number; failed: number; total: number } {
  const rs = results.filter((r) => r.stage === s.id);
  return { ran: new Set(rs.map((r) => r.caseIndex)).size, failed: rs.filter((r) => !r.ok).length, total: rs[0]?.caseCount ?? 0 };
}

/** The closing lines: how the selected stage and its regression fared, and what to do next. */
export function conclusion(plan: StageRunPlan, results: CaseResult[], exitCode: number): { lines: string[]; ok: boolean } {
  const c = plan.challenge;
  const rerun = `bun test --${plan.selection.only ? "stage-only" : "stage"}=${plan.selection.text}`;
  const notRun = plan.stages.filter(({ stage }) => {
    const o = stageOutcome(results, stage);
    return o.total === 0 || o.ran < o.total;
  });
  const failing = plan.stages.filter(({ stage }) => stageOutcome(results, stage).failed > 0);
  const lines: string[] = [];
  if (results.length === 0) {
    lines.push(`✗ No test ran (bun exited with code ${exitCode}; its output is above).${plan.bunArgs.length > 0 ? ` Check bun's flags you gave (${plan.bunArgs.join(" ")}), or run without them: ${rerun}` : ""}`);
    return { lines, ok: false };
  }
  const counts = `${results.filter((r) => r.ok).length} of ${results.length} cases passed`;
  if (failing.length > 0) {
    const first = failing[0]!;
    const o = stageOutcome(results, first.stage);
    const what = first.regression ? `regression stage ${stageName(c, first.stage)} ${first.stage.name} failed (it passed before: a later change broke it)` : `${stageName(c, first.stage)} ${first.stage.name} failed: ${o.failed} of ${o.total} cases`;
    lines.push(`✗ ${what}; ${counts} in all.`);
    lines.push(`Next: fix the first report above (instructions: ${docPath(c, first.stage)}), then run: ${rerun}`);
    return { lines, ok: false };
  }
  if (partial(plan.bunArgs) && exitCode === 0) {
    lines.push(`✓ The ${results.length} case${results.length === 1 ? "" : "s"} your filter (${caseFilter(plan.bunArgs)}) selected passed. A stage passes only when all its cases run: ${rerun}`);
    return { lines, ok: true };
  }
  if (notRun.length > 0 || exitCode !== 0) {
    const names = notRun.map(({ stage }) => stageName(c, stage)).join(", ");
    lines.push(`✗ ${names ? `Not every case of ${names} ran` : `bun exited with code ${exitCode}`} (see bun's output above); ${counts}. Run again: ${rerun}`);
    return { lines, ok: false };
  }
  // The selected stages (one, or a whole challenge or extension), then the earlier stages run again as regression.
  const selected = plan.stages.filter((s) => !s.regression).map((s) => s.stage);
  const regression = plan.stages.length - selected.length;
  const head = selected.length === 1 ? `${stageName(c, selected[0]!)} passed` : `${stageName(c, selected[0]!)} to ${stageName(c, selected.at(-1)!)} passed (${selected.length} stages)`;
  const passed = regression === 0 ? head : `${head}, and its ${regression} regression stage${regression === 1 ? "" : "s"}`;
  const last = plan.stages.filter((s) => !s.regression).at(-1)!.stage;
  const next = nextStage(c, last);
  if (next) lines.push(`✓ ${passed}. Next: ${stageName(c, next)} ${next.name}: ${docPath(c, next)}, then: bun test --stage=${stageName(c, next)}`);
  else if (last.extension === undefined && c.extensions.length > 0) lines.push(`✓ ${passed}: every base stage of ${c.slug} passes. Next: an extension (bun run stages ${c.slug}), e.g. bun test --stage=${c.slug}/${c.extensions[0]!.slug}/1`);
  else lines.push(`✓ ${passed}: the last stage of ${last.extension === undefined ? c.slug : `the ${last.extension} extension`}.`);
  return { lines, ok: true };
}

/** The env of the inner run: the selection and options as environment variables (bun does not see syscraft's flags). */
function innerEnv(plan: StageRunPlan, resultsFile: string): Record<string, string | undefined> {
  const o = harnessOptions();
  const env: Record<string, string | undefined> = { ...process.env, SYSCRAFT_INNER: "1", SYSCRAFT_RESULTS: resultsFile, SYSCRAFT_INVOKED_FROM: process.env.SYSCRAFT_INVOKED_FROM ?? process.cwd() };
  delete env.SYSCRAFT_STAGE;
  delete env.SYSCRAFT_STAGE_ONLY;
  delete env.SYSCRAFT_ONLY_CASE;
  env[plan.selection.only ? "SYSCRAFT_STAGE_ONLY" : "SYSCRAFT_STAGE"] = plan.selection.text;
  if (plan.impl.source === "flag or SYSCRAFT_IMPL") env.SYSCRAFT_IMPL = plan.impl.command;
  if (o.real) env.SYSCRAFT_REAL = "1";
  else delete env.SYSCRAFT_REAL;
  if (o.seed !== undefined) env.SYSCRAFT_SEED = o.seed;
  if (o.verbose) env.SYSCRAFT_VERBOSE = "1";
  if (partial(plan.bunArgs)) env.SYSCRAFT_PARTIAL = "1";
  else delete env.SYSCRAFT_PARTIAL;
  const memoryLimit = flagValue(o.argv, "memory-limit");
  if (memoryLimit !== undefined) env.SYSCRAFT_MEMORY_LIMIT = memoryLimit;
  return env;
}

const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

async function pump(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const l of lines) onLine(l);
  }
  if (pending !== "") onLine(pending);
}

/** Runs the plan in an inner bun test; returns the exit code the learner's command should end with. */
export async function runStages(plan: StageRunPlan): Promise<number> {
  const given = process.env.SYSCRAFT_RESULTS;
  // Named for its owner (pid and start time) as tempdir.ts names them, so that a run killed outright leaves nothing the
  // next run does not sweep; made here without tempdir.ts, whose emergency handlers would exit on SIGTERM before the
  // inner run is stopped (this process passes the signal on and waits, below).
  const work = given ? undefined : mkdtempSync(join(tmpdir(), `syscraft-stage-run-o${process.pid}.${processStartTime(process.pid) ?? 0}-`));
  const resultsFile = given ?? join(work!, "results.jsonl");
  const before = given ? readResults(given).length : 0;
  const filter = new BunOutputFilter();
  const show = (lines: string[]) => {
    if (lines.length > 0) say(lines.join("\n"));
  };
  // --no-orphans: the inner run (and every program it started) ends if this process is killed outright.
  const proc = Bun.spawn(["bun", "test", "--no-orphans", ...plan.bunArgs, "./stages/selected.test.ts"], {
    cwd: ROOT,
    stdin: "inherit",
    stdout: "pipe",
    stderr: "pipe",
    env: innerEnv(plan, resultsFile),
  });
  let stoppedBy: NodeJS.Signals | undefined;
  const forward = (signal: NodeJS.Signals) => () => {
    stoppedBy = signal;
    proc.kill(signal);
  };
  const handlers = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  try {
    await Promise.all([pump(proc.stdout, (l) => show(filter.push(l))), pump(proc.stderr, (l) => show(filter.push(l)))]);
    show(filter.end());
    const exitCode = await proc.exited;
    const results = readResults(resultsFile).slice(before);
    if (stoppedBy) {
      say(`\n✗ Stopped by ${stoppedBy} after ${results.length} case${results.length === 1 ? "" : "s"} (${results.filter((r) => r.ok).length} passed); every program it started was stopped.`);
      return 128 + SIGNAL_NUMBERS[stoppedBy as keyof typeof SIGNAL_NUMBERS];
    }
    const { lines, ok } = conclusion(plan, results, exitCode);
    say(`\n${lines.join("\n")}`);
    return ok && exitCode === 0 ? 0 : exitCode === 0 ? 1 : exitCode;
  } finally {
    for (const [s, h] of handlers) process.off(s, h);
    if (work) rmSync(work, { recursive: true, force: true });
  }
}
