import { existsSync } from "node:fs";
import { drain, CappedOutput } from "./output.ts";
import { stopGroup, track } from "./reaper.ts";

const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => existsSync(p));

export interface SpawnOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  stdin?: Uint8Array | string;
  /** Output cap in bytes (stdout and stderr together). */
  cap?: number;
}

/**
 * A process started in its own process group (session), registered with the
 * reaper, with stdout and stderr captured together, capped.
 */
export class GroupProcess {
  readonly output: CappedOutput;
  readonly stdout: CappedOutput;
  readonly exited: Promise<number>;
  private readonly proc: ReturnType<typeof Bun.spawn>;
  private readonly pumps: Promise<void>[];

  constructor(argv: string[], opts: SpawnOptions) {
    this.output = new CappedOutput(opts.cap);
    this.stdout = new CappedOutput(opts.cap);
    // The parent-death signal makes the leader die even if this test process is SIGKILLed.
    const cmd = SETPRIV ? [SETPRIV, "--pdeathsig", "SIGKILL", "--", ...argv] : argv;
    this.proc = Bun.spawn(cmd, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env } as Record<string, string>,
      stdin: opts.stdin === undefined ? "ignore" : new Blob([opts.stdin]),
      stdout: "pipe",
      stderr: "pipe",
      detached: true,
    });
    track(this.proc.pid);
    this.pumps = [
      drain(this.proc.stdout as ReadableStream<Uint8Array>, this.output, this.stdout),
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

  /** SIGTERM to the group, SIGKILL after the grace period; waits until the group is gone. */
  async stop(graceMs = 2000): Promise<void> {
    await stopGroup(this.proc.pid, graceMs);
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
