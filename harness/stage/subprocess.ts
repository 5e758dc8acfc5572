import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
 */
export async function runStagesInSubprocess(run: StageRun): Promise<StageRunOutcome> {
  const work = mkdtempSync(join(tmpdir(), "syscraft-run-"));
  const resultsFile = join(work, "results.jsonl");
  try {
    const proc = Bun.spawn(["bun", "test", run.selection, ...(run.flags ?? [])], {
      cwd: ROOT,
      stdout: run.stdio === "inherit" ? "inherit" : "pipe",
      stderr: run.stdio === "inherit" ? "inherit" : "pipe",
      env: { ...process.env, SYSCRAFT_RESULTS: resultsFile, SYSCRAFT_INVOKED_FROM: process.env.SYSCRAFT_INVOKED_FROM ?? process.cwd() },
    });
    const [exitCode, out, err] = await Promise.all([
      proc.exited,
      run.stdio === "capture" ? new Response(proc.stdout as ReadableStream).text() : "",
      run.stdio === "capture" ? new Response(proc.stderr as ReadableStream).text() : "",
    ]);
    return { exitCode, results: readResults(resultsFile), output: out + err };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
