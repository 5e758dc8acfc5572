import { readFileSync } from "node:fs";
import type { Challenge, Readiness, StageInfo } from "../challenge/schema.ts";
import { stageName } from "../challenge/stages.ts";
import { CASE_ENDED } from "./case-ended.ts";
import { runCommand, type CommandResult } from "../clients/command.ts";
import { requireBinary } from "../clients/require.ts";
import { absolutize, type Impl } from "../impl.ts";
import { allocatePort, releasePort } from "../process/ports.ts";
import { makeTempDir, removeTempDir } from "../process/tempdir.ts";
import { StageFailure, type FailureDetails } from "../report/failure.ts";
import { shellLine, withStdin } from "../report/show.ts";
import { Transcript } from "../report/transcript.ts";
import type { Random } from "../random.ts";
import { launchProgram, printable, programArgv, type Program } from "./program.ts";

export interface StartOptions {
  /** Arguments after the contract's (e.g. ["--dir", t.dir]). */
  extraArgs?: string[];
  env?: Record<string, string>;
  /** Bound on the wait for readiness, in ms (default 5000, or less if the case has less time left). */
  readyTimeoutMs?: number;
  /**
   * Arguments instead of the contract's (placeholders {port} {dir} {host} filled), for a
   * program started in several roles (the tunnel's `server …` and `client …`).
   */
  args?: string[];
  /** Readiness instead of the contract's ("none": the caller waits for the program itself). */
  ready?: Readiness;
  /** A command the program runs under, e.g. ["unshare", "--mount", "--propagation", "private"] (shown in the transcript). */
  wrap?: string[];
  /** The program is meant to exit by itself during the case (e.g. `create`, which returns while the container lives on): a failure report does not call its exit news. */
  exitExpected?: boolean;
}

export interface ClientOptions {
  timeoutMs?: number;
  stdin?: string | Uint8Array;
  cwd?: string;
  /** Text the transcript shows instead of the argv (e.g. with `printf … |` in front). */
  display?: string;
  quietStderr?: boolean;
  /** Environment variables added to the test process's (not shown in the transcript: log them if they matter). */
  env?: Record<string, string | undefined>;
  /** run(): a command the program runs under, e.g. ["unshare", "--mount", "--propagation", "private"] (shown in the transcript). */
  wrap?: string[];
}

/** What a stage case gets: its program, clients, randomness, transcript and checks. */
export class CaseContext {
  readonly log: Transcript;
  /** A temporary directory for this case, removed when it ends. */
  readonly dir: string;
  private readonly programs: Program[] = [];
  private readonly stoppedByTest = new Set<Program["process"]>();
  private readonly cleanups: (() => unknown)[] = [];
  private readonly failureHooks: ((error: unknown) => unknown)[] = [];
  private readonly ports: number[] = [];
  private readonly extraDirs: string[] = [];
  private readonly controller = new AbortController();

  constructor(
    readonly challenge: Challenge,
    readonly stage: StageInfo,
    readonly caseName: string,
    readonly impl: Impl,
    readonly rand: Random,
    verbose: boolean,
  ) {
    this.log = new Transcript(verbose);
    this.dir = makeTempDir(this.tempLabel());
  }

  /** `redis-lists-2`: names this case's temporary directories (no "/" in a directory name). */
  private tempLabel(): string {
    return stageName(this.challenge, this.stage).replaceAll("/", "-");
  }

  /** Aborted when the case runs out of time: long loops should check it. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(reason?: string): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** The implementation's command line with relative paths made absolute. */
  private command(): string {
    return absolutize(this.impl.command, this.impl.base);
  }

  /** Claims a loopback port for this case (released when it ends). */
  async port(): Promise<number> {
    const port = await allocatePort();
    this.ports.push(port);
    return port;
  }

  /** Starts the program under test as a server and waits until it listens. */
  async start(opts: StartOptions = {}): Promise<Program> {
    return this.launch(this.impl, opts);
  }

  /**
   * Starts the challenge's real implementation (e.g. redis-server) as a peer
   * of the program under test — a master to replicate from, an upstream —
   * with the same arguments the program gets. Fails naming the package if
   * it is not installed.
   */
  async startReal(opts: StartOptions = {}): Promise<Program> {
    const real = this.challenge.real;
    if (!real) throw new Error(`${this.challenge.slug} names no real implementation (challenge.yaml real:)`);
    requireBinary(real.command.split(/\s+/)[0]!, real.package);
    return this.launch({ command: real.command, base: this.impl.base, source: "real implementation" }, opts);
  }

  private async launch(impl: Impl, opts: StartOptions): Promise<Program> {
    const port = await this.port();
    const dir = this.programs.length === 0 ? this.dir : makeTempDir(this.tempLabel());
    if (dir !== this.dir) this.extraDirs.push(dir);
    try {
      const started = await launchProgram({ challenge: this.challenge, impl, port, dir, extraArgs: opts.extraArgs, args: opts.args, ready: opts.ready, env: opts.env, readyTimeoutMs: opts.readyTimeoutMs, signal: this.signal, log: this.log, wrap: opts.wrap });
      // A program the test stops itself did not exit on its own (see exited()).
      const program: Program = { ...started, stop: () => (this.stoppedByTest.add(started.process), started.stop()) };
      // A program meant to exit by itself (a command run in the background): its exit is no news in a report either.
      if (opts.exitExpected) this.stoppedByTest.add(started.process);
      this.programs.push(program);
      return program;
    } catch (e) {
      // Keep the program that failed to start, so its output is reported and it is stopped.
      const failed = (e as { program?: Program }).program;
      if (failed) this.programs.push(failed);
      throw e;
    }
  }

  /**
   * Runs the implementation as a command-line program once (for `kind: command`
   * challenges). The transcript shows its command with absolute paths, so the
   * line can be re-run from the directory it ran in.
   */
  async run(args: string[], opts: ClientOptions = {}): Promise<CommandResult> {
    return runCommand([...(opts.wrap ?? []), ...programArgv(this.command(), args)], {
      contain: true,
      cwd: opts.cwd ?? this.dir,
      display: opts.display ?? withStdin(opts.stdin, `${opts.wrap ? `${shellLine(opts.wrap)} ` : ""}${printable(this.command(), args)}`),
      log: this.log,
      timeoutMs: opts.timeoutMs,
      stdin: opts.stdin,
      env: opts.env,
      signal: this.signal,
      quietStderr: opts.quietStderr,
    });
  }

  /** Runs a real client (e.g. redis-cli), bounded; fails with the package name if it is missing. */
  async client(pkg: string, argv: string[], opts: ClientOptions = {}): Promise<CommandResult> {
    requireBinary(argv[0]!, pkg);
    return runCommand(argv, {
      cwd: opts.cwd ?? this.dir,
      display: opts.display ?? withStdin(opts.stdin, shellLine(argv)),
      log: this.log,
      timeoutMs: opts.timeoutMs,
      stdin: opts.stdin,
      env: opts.env,
      signal: this.signal,
      quietStderr: opts.quietStderr,
    });
  }

  /** Registers cleanup to run when the case ends, whatever the outcome. */
  defer(fn: () => unknown): void {
    this.cleanups.push(fn);
  }

  /**
   * Registers `fn` to run if the case fails, before cleanup, with what failed it: it may
   * write an artefact of the run and add its path to a StageFailure's details.
   */
  onFailure(fn: (error: unknown) => unknown): void {
    this.failureHooks.push(fn);
  }

  /** Runs the failure hooks (never throws). */
  async failed(error: unknown): Promise<void> {
    for (const fn of this.failureHooks) {
      try {
        await fn(error);
      } catch {
        // the report matters more than the artefact
      }
    }
  }

  fail(details: FailureDetails): never {
    throw new StageFailure(details);
  }

  /** Fails unless `received` equals `expected`, showing both. */
  expectEqual(received: string, expected: string, details: Omit<FailureDetails, "expected" | "received">): void {
    if (received !== expected) throw new StageFailure({ ...details, expected, received });
  }

  /** The last lines of output of the programs this case started. */
  programOutput(lines = 20): string | undefined {
    if (this.programs.length === 0) return undefined;
    if (this.programs.length === 1) return this.programs[0]!.process.output.tail(lines);
    return this.programs.map((p, i) => `[program ${i + 1}: ${p.commandLine}]\n${p.process.output.tail(lines)}`).join("\n");
  }

  /** The first program of this case the kernel killed for going over its memory cap. */
  overMemory(): Program | undefined {
    return this.programs.find((p) => p.process.memoryExceeded);
  }
  /**
   * The first program this case started that exited during the case, by itself as far as the harness can
   * tell (checked before cleanup stops the rest).
   * A client can see the program's connections close just before the program's exit is known: this
   * waits up to 30 ms for an exit, and up to 1 s for one the kernel already has (a zombie bun has not reaped).
   */
  async exited(): Promise<Program | undefined> {
    // Not one the test stopped, nor one killed by SIGINT, SIGKILL or SIGTERM (tests send those on purpose).
    const own = this.programs.filter((p) => !this.stoppedByTest.has(p.process));
    const started = Date.now();
    for (;;) {
      const done = own.find((p) => p.process.exitCode !== null);
      if (done) return [130, 137, 143].includes(done.process.exitCode!) ? undefined : done;
      const waited = Date.now() - started;
      if (waited >= 1000 || (waited >= 30 && !own.some((p) => hasExited(p.process.pid)))) return undefined;
      await Bun.sleep(10);
    }
  }


  /** Stops every program and client, releases ports, removes temp dirs. Never throws. */
  async cleanup(): Promise<void> {
    this.abort(CASE_ENDED);
    for (const fn of this.cleanups.reverse()) {
      try {
        await fn();
      } catch {
        // keep cleaning
      }
    }
    await Promise.all(this.programs.map((p) => p.stop()));
    for (const port of this.ports) releasePort(port);
    for (const dir of [this.dir, ...this.extraDirs]) removeTempDir(dir);
  }
}

/** Whether a child process has exited: it is a zombie not yet reaped, or gone. */
function hasExited(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z") ?? false;
  } catch {
    return true;
  }
}
