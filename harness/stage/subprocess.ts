import { join } from "node:path";
import { exitInProgress, trackChild, untrackChild } from "../process/reaper.ts";
import { makeTempDir, removeTempDir } from "../process/tempdir.ts";
import { ROOT } from "../paths.ts";
import { readResults } from "./results.ts";
import type { CaseResult } from "./types.ts";

export interface StageRun {
  /** e.g. "--stage=redis/3" or "--stage-only=redis/3" */
  selection: string;
  /** Extra flags: --impl=…, --real, --seed=… */
  flags?: string[];
  /** Show bun's output (grading) or capture it (self-tests). */
  stdio: "inherit" | "capture";
  /**
   * Start the inner run (stages/selected.test.ts) at once, with the selection and
   * syscraft's flags as environment variables, instead of `bun test <selection>`
   * whose preload would check them, print the first line and start that same
   * inner run: one bun process instead of two, for the suite's fixture and
   * real-implementation checks, whose output nobody reads.
   */
  direct?: boolean;
  /** Only the case of this name, in each selected stage (a direct run only; see onlyCase in register.ts). */
  onlyCase?: string;
}

/** `bun test` arguments and environment of a direct inner run (see StageRun.direct), as stage-run.ts's innerEnv makes them. */
export function directInvocation(run: StageRun): { args: string[]; env: Record<string, string | undefined> } {
  const env: Record<string, string | undefined> = { SYSCRAFT_INNER: "1", SYSCRAFT_STAGE: undefined, SYSCRAFT_STAGE_ONLY: undefined, SYSCRAFT_IMPL: undefined, SYSCRAFT_REAL: undefined, SYSCRAFT_PARTIAL: undefined, SYSCRAFT_ONLY_CASE: run.onlyCase };
  const m = /^--(stage|stage-only)=(.+)$/.exec(run.selection);
  if (!m) throw new Error(`runStagesInSubprocess: selection must be --stage=… or --stage-only=…, not ${run.selection}`);
  env[m[1] === "stage" ? "SYSCRAFT_STAGE" : "SYSCRAFT_STAGE_ONLY"] = m[2];
  const args: string[] = [];
  for (const flag of run.flags ?? []) {
    const f = /^--(impl|seed|memory-limit)=(.*)$/s.exec(flag);
    if (f) env[{ impl: "SYSCRAFT_IMPL", seed: "SYSCRAFT_SEED", "memory-limit": "SYSCRAFT_MEMORY_LIMIT" }[f[1] as "impl" | "seed" | "memory-limit"]] = f[2];
    else if (flag === "--real") env.SYSCRAFT_REAL = "1";
    else args.push(flag); // bun's own (--bail=1, …)
  }
  return { args: ["./stages/selected.test.ts", ...args], env };
}

export interface StageRunOutcome {
  exitCode: number;
  results: CaseResult[];
  /** bun's own output, when captured. */
  output: string;
}

/**
 * Runs `bun test <selection>` in a child process, exactly as a learner would,
 * and collects each case's result from the JSONL file the harness writes.
 *
 * The child runs with --no-orphans (it ends if this process dies outright).
 * SIGINT, SIGTERM or SIGHUP to this process while the child runs is passed
 * on to the child, which stops every program it started; this process waits
 * for it (SIGKILL after 2.5 s), removes its work directory and exits 128+n
 * (see trackChild in process/reaper.ts).
 */
export async function runStagesInSubprocess(run: StageRun): Promise<StageRunOutcome> {
  if (run.onlyCase !== undefined && !run.direct) throw new Error("runStagesInSubprocess: onlyCase needs a direct run");
  const work = makeTempDir("run");
  const resultsFile = join(work, "results.jsonl");
  let proc: ReturnType<typeof Bun.spawn> | undefined;
  try {
    const direct = run.direct ? directInvocation(run) : undefined;
    const env: Record<string, string | undefined> = { ...process.env, SYSCRAFT_RESULTS: resultsFile, SYSCRAFT_INVOKED_FROM: process.env.SYSCRAFT_INVOKED_FROM ?? process.cwd() };
    for (const [k, v] of Object.entries(direct?.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    proc = Bun.spawn(["bun", "test", "--no-orphans", ...(direct ? direct.args : [run.selection, ...(run.flags ?? [])])], {
      cwd: ROOT,
      stdout: run.stdio === "inherit" ? "inherit" : "pipe",
      stderr: run.stdio === "inherit" ? "inherit" : "pipe",
      env,
    });
    trackChild(proc);
    const [exitCode, out, err] = await Promise.all([
      proc.exited,
      run.stdio === "capture" ? new Response(proc.stdout as ReadableStream).text() : "",
      run.stdio === "capture" ? new Response(proc.stderr as ReadableStream).text() : "",
    ]);
    // Interrupted: the child has exited, but this process ends with the signal's code, reporting nothing.
    const exiting = exitInProgress();
    if (exiting) await exiting;
    return { exitCode, results: readResults(resultsFile), output: out + err };
  } finally {
    if (proc) untrackChild(proc);
    removeTempDir(work);
  }
}
