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
  const work = makeTempDir("run");
  const resultsFile = join(work, "results.jsonl");
  let proc: ReturnType<typeof Bun.spawn> | undefined;
  try {
    proc = Bun.spawn(["bun", "test", "--no-orphans", run.selection, ...(run.flags ?? [])], {
      cwd: ROOT,
      stdout: run.stdio === "inherit" ? "inherit" : "pipe",
      stderr: run.stdio === "inherit" ? "inherit" : "pipe",
      env: { ...process.env, SYSCRAFT_RESULTS: resultsFile, SYSCRAFT_INVOKED_FROM: process.env.SYSCRAFT_INVOKED_FROM ?? process.cwd() },
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
