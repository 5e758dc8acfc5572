import { memoryFailure } from "../process/memory-failure.ts";
import { GroupProcess } from "../process/spawn.ts";
import { StageFailure } from "../report/failure.ts";
import type { Transcript } from "../report/transcript.ts";
import { caseEnded, never } from "../stage/case-ended.ts";

export interface CommandResult {
  code: number;
  stdout: string;
  /** stdout as bytes, for binary output. */
  stdoutBytes: Uint8Array;
  /** stdout and stderr interleaved as they came. */
  output: string;
}

export interface RunOptions {
  cwd: string;
  /** What the transcript shows as the command (defaults to argv). */
  display: string;
  log: Transcript;
  timeoutMs?: number;
  stdin?: string | Uint8Array;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** Show only stdout in the transcript (default: stdout and stderr). */
  quietStderr?: boolean;
  /** The program under test: run it in a cgroup of its own (see GroupProcess). */
  contain?: boolean;
}

/**
 * Runs a command to completion in its own process group, bounded in time;
 * logs `$ command` and its output to the transcript. A time-out kills the
 * group and fails the case with the command that hung.
 */
export async function runCommand(argv: string[], o: RunOptions): Promise<CommandResult> {
  o.log.command(o.display);
  const proc = new GroupProcess(argv, { cwd: o.cwd, stdin: o.stdin, env: o.env, contain: o.contain });
  const timeoutMs = o.timeoutMs ?? 5000;
  const abort = new Promise<null>((resolve) => o.signal?.addEventListener("abort", () => resolve(null), { once: true }));
  const code = await Promise.race([proc.waitExit(timeoutMs), abort]);
  if (code === null) {
    await proc.stop(200);
    o.log.output(proc.output.tail(10));
    if (caseEnded(o.signal)) return never();
    throw new StageFailure({
      message: `This command did not finish within ${timeoutMs / 1000} s: ${o.display}`,
      hint: "The client is probably waiting for a reply your program never sent (or never finished sending).",
    });
  }
  const overMemory = proc.memoryExceeded;
  await proc.stop(0);
  if (overMemory) {
    o.log.output(proc.output.tail(10));
    throw memoryFailure(proc);
  }
  const result = { code, stdout: proc.stdout.text(), stdoutBytes: proc.stdout.bytes(), output: proc.output.text() };
  o.log.output(o.quietStderr ? result.stdout : result.output);
  return result;
}
