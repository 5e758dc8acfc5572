import { existsSync } from "node:fs";
import { Cgroup, noteFallbackOnce } from "./cgroup.ts";
import { memoryLimit, PIDS_LIMIT } from "./limits.ts";
import { drain, CappedOutput } from "./output.ts";
import { stopGroup, track } from "./reaper.ts";

const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => existsSync(p));

export interface SpawnOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  stdin?: Uint8Array | string;
  /** Output cap in bytes (stdout and stderr together). */
  cap?: number;
  /**
   * Run it in a cgroup of its own when the harness can make one (the program
   * under test; not the real clients): the stop then also ends what left the
   * process group, and `memoryLimit` applies.
   */
  contain?: boolean;
  /** Memory cap in bytes for a contained process (default: memoryLimit(), null for none). */
  memoryLimit?: number | null;
  /** Leave stdin open as a pipe the caller writes (GroupProcess.stdin) instead of `stdin`. */
  pipeStdin?: boolean;
  /** Called with each chunk of stdout as it arrives (it is captured too). */
  onStdout?: (chunk: Uint8Array) => void;
}

/** Passes each chunk to a callback instead of keeping it. */
class Tap extends CappedOutput {
  constructor(private readonly fn: (chunk: Uint8Array) => void) {
    super(0);
  }
  override push(chunk: Uint8Array): void {
    this.fn(chunk);
  }
}

/**
 * A process started in its own process group (session), registered with the
 * reaper, with stdout and stderr captured together, capped. It is exec'd
 * under `setpriv --pdeathsig SIGKILL`, so it dies with the test process even
 * when that is killed outright; a contained one first joins its cgroup (a
 * shell writes its own pid into the cgroup, then execs), so it and all it
 * starts are inside from the start.
 */
export class GroupProcess {
  readonly output: CappedOutput;
  readonly stdout: CappedOutput;
  readonly exited: Promise<number>;
  /** Its cgroup, when contained and cgroups are available. */
  readonly cgroup: Cgroup | null;
  /** Its stdin, when started with pipeStdin. */
  readonly stdin: import("bun").FileSink | null;
  private readonly proc: ReturnType<typeof Bun.spawn>;
  private readonly pumps: Promise<void>[];

  constructor(argv: string[], opts: SpawnOptions) {
    this.output = new CappedOutput(opts.cap);
    this.stdout = new CappedOutput(opts.cap);
    this.cgroup = opts.contain ? Cgroup.create({ memoryLimit: opts.memoryLimit === undefined ? memoryLimit() : opts.memoryLimit, pidsLimit: PIDS_LIMIT }) : null;
    if (opts.contain && !this.cgroup) noteFallbackOnce();
    const joined = this.cgroup ? ["/bin/sh", "-c", `${this.cgroup.joinScript()} && exec "$@"`, "syscraft-join", ...argv] : argv;
    // The parent-death signal makes the process die even if this test process is SIGKILLed.
    const cmd = SETPRIV ? [SETPRIV, "--pdeathsig", "SIGKILL", "--", ...joined] : joined;
    try {
      this.proc = Bun.spawn(cmd, {
        cwd: opts.cwd,
        env: { ...process.env, ...opts.env } as Record<string, string>,
        stdin: opts.pipeStdin ? "pipe" : opts.stdin === undefined ? "ignore" : new Blob([opts.stdin]),
        stdout: "pipe",
        stderr: "pipe",
        detached: true,
      });
    } catch (e) {
      this.cgroup?.removeNow();
      throw e;
    }
    track(this.proc.pid, this.cgroup ?? undefined);
    this.stdin = opts.pipeStdin ? (this.proc.stdin as import("bun").FileSink) : null;
    this.pumps = [
      drain(this.proc.stdout as ReadableStream<Uint8Array>, this.output, this.stdout, ...(opts.onStdout ? [new Tap(opts.onStdout)] : [])),
      drain(this.proc.stderr as ReadableStream<Uint8Array>, this.output),
    ];
    this.exited = this.proc.exited;
  }

  get pid(): number {
    return this.proc.pid;
  }

  /** Exit code, or null while running. A death by signal N reads as 128+N. */
  get exitCode(): number | null {
    if (this.proc.exitCode !== null) return this.proc.exitCode;
    const sig = this.proc.signalCode;
    if (sig !== null && sig !== undefined) return 128 + (typeof sig === "number" ? sig : (osSignal(sig) ?? 0));
    return null;
  }

  /** Whether the kernel killed it (or a process it started) for going over its memory cap. */
  get memoryExceeded(): boolean {
    return this.cgroup?.oomKilled() ?? false;
  }

  /** SIGTERM to the group (and its cgroup), SIGKILL after the grace period; waits until all are gone, removes the cgroup. */
  async stop(graceMs = 2000): Promise<void> {
    await stopGroup(this.proc.pid, graceMs, this.cgroup ?? undefined);
    await Promise.race([Promise.all(this.pumps), Bun.sleep(500)]);
  }

  /** Waits for exit up to `ms`; returns the exit code or null on time-out. */
  async waitExit(ms: number): Promise<number | null> {
    const code = await Promise.race([this.exited, Bun.sleep(ms).then(() => null)]);
    if (code !== null) await Promise.race([Promise.all(this.pumps), Bun.sleep(500)]);
    return code;
  }
}

function osSignal(name: string): number | undefined {
  const table: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };
  return table[name];
}
