import type { Challenge, ProgramContract, Readiness } from "../challenge/schema.ts";
import { absolutize, type Impl } from "../impl.ts";
import type { Transcript } from "../report/transcript.ts";
import { isListening } from "../process/listening.ts";
import { GroupProcess } from "../process/spawn.ts";
import { StageFailure } from "../report/failure.ts";
import { shellLine, shellQuote } from "../report/show.ts";

/** A running program under test. */
export interface Program {
  readonly host: string;
  readonly port: number;
  /** The program's own temporary directory (its working directory). */
  readonly dir: string;
  /** The command line that started it, as a learner would type it. */
  readonly commandLine: string;
  readonly process: GroupProcess;
  stop(): Promise<void>;
}

export function fillArgs(args: readonly string[], values: { port: number; dir: string; host: string }): string[] {
  return args.map((a) => a.replaceAll("{port}", String(values.port)).replaceAll("{dir}", values.dir).replaceAll("{host}", values.host));
}

/** argv that runs `command` (a shell command line) with `args` appended, each passed as one argument; the shell waits for it. */
export function shellArgv(command: string, args: readonly string[]): string[] {
  return ["/bin/sh", "-c", `${command} "$@"`, "syscraft", ...args];
}

const RESERVED = new Set(["if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "in", "{", "}", "!", "exec", "function", "select"]);

/**
 * Whether a command line is one simple command (words, quotes, expansions,
 * redirections, leading VAR=value): no `;`, `&`, `|`, parentheses or newline
 * outside quotes, and no reserved word first. Conservative: `$(…)` containing
 * an operator counts as not simple.
 */
export function isSimpleCommand(command: string): boolean {
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i]!;
    if (quote === "'") {
      if (ch === "'") quote = null;
    } else if (ch === "\\") {
      i++;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (";&|()\n".includes(ch)) {
      return false;
    }
  }
  if (quote !== null) return false;
  const first = splitAssignments(command).rest.split(/\s+/)[0] ?? "";
  return first !== "" && !RESERVED.has(first);
}

/** Leading `NAME=value` words of a command line, and the rest. */
function splitAssignments(command: string): { assignments: string; rest: string } {
  const m = /^\s*((?:[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"(?:[^"\\]|\\.)*"|\\.|[^\s'"\\])*\s+)*)([\s\S]*)$/.exec(command)!;
  return { assignments: m[1]!, rest: m[2]! };
}

/**
 * argv that starts the program under test: `command` with `args` appended.
 * A simple command is exec'd by the shell (`sh -c 'exec <command> "$@"'`), so
 * the program itself — not a shell waiting for it — is the process the
 * harness started: the one the kernel kills when the test process dies
 * (pdeathsig), whose exit code the report shows. A command line with shell
 * operators (`cd app && ./run`) runs as written in a shell; its processes are
 * still contained by the program's cgroup and process group.
 */
export function programArgv(command: string, args: readonly string[]): string[] {
  if (!isSimpleCommand(command)) return shellArgv(command, args);
  const { assignments, rest } = splitAssignments(command);
  return ["/bin/sh", "-c", `${assignments}exec ${rest} "$@"`, "syscraft", ...args];
}

export function printable(command: string, args: readonly string[]): string {
  return [command, ...args.map(shellQuote)].join(" ");
}

export interface WaitReadyOptions {
  proc: GroupProcess;
  contract: ProgramContract;
  port: number;
  host: string;
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * Waits, bounded, until the program listens on its port. Fails with what
 * happened: it exited first (with its code), or it never listened.
 */
export async function waitReady(o: WaitReadyOptions): Promise<void> {
  if (o.contract.ready === "none") return;
  const proto = o.contract.ready;
  const deadline = Date.now() + o.timeoutMs;
  let delay = 5;
  for (;;) {
    if (isListening(o.port, proto)) return;
    const code = o.proc.exitCode;
    if (code !== null) {
      throw new StageFailure({
        message: `Your program exited with code ${code} before listening on ${proto.toUpperCase()} port ${o.port}.`,
        hint: code === 127 ? "Exit code 127 means the shell could not find the command: check the command line you gave with --impl or in syscraft.local.yaml." : "Look at your program's output below: it probably crashed or could not parse its arguments.",
      });
    }
    if (Date.now() >= deadline || o.signal.aborted) {
      throw new StageFailure({
        message: `Your program did not listen on ${proto.toUpperCase()} port ${o.port} (${o.host}) within ${Math.round(o.timeoutMs / 1000)} s of starting.`,
        hint: `Read the port from the command line (${fillArgs(o.contract.args, { port: o.port, dir: "<its directory>", host: o.host }).join(" ")}) and bind to it; the tests connect to ${o.host}:${o.port}.`,
      });
    }
    await Bun.sleep(delay);
    delay = Math.min(delay * 2, 50);
  }
}

export interface LaunchOptions {
  challenge: Challenge;
  impl: Impl;
  port: number;
  /** Working directory, also given to the program as {dir}. */
  dir: string;
  extraArgs?: string[];
  /** Arguments instead of the contract's (placeholders filled). */
  args?: string[];
  /** Readiness instead of the contract's. */
  ready?: Readiness;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  signal: AbortSignal;
  log: Transcript;
  /** A command the program runs under (e.g. ["unshare", "--mount", "--propagation", "private"]), shown before it in the transcript. */
  wrap?: string[];
}

/**
 * Starts the implementation with the challenge's arguments in its own process
 * group and waits until it is ready. The caller owns the result and must stop
 * it (a failed start is stopped here).
 */
export async function launchProgram(o: LaunchOptions): Promise<Program> {
  const host = "127.0.0.1";
  const contract: ProgramContract = { ...o.challenge.program, args: o.args ?? o.challenge.program.args, ready: o.ready ?? o.challenge.program.ready };
  const args = [...fillArgs(contract.args, { port: o.port, dir: o.dir, host }), ...(o.extraArgs ?? [])];
  const commandLine = `${o.wrap ? `${shellLine(o.wrap)} ` : ""}${printable(o.impl.command, args)}`;
  o.log.command(`${commandLine} &`);
  const proc = new GroupProcess([...(o.wrap ?? []), ...programArgv(absolutize(o.impl.command, o.impl.base), args)], { cwd: o.dir, env: o.env, contain: true });
  const program: Program = { host, port: o.port, dir: o.dir, commandLine, process: proc, stop: () => proc.stop() };
  try {
    await waitReady({ proc, contract, port: o.port, host, timeoutMs: o.readyTimeoutMs ?? 5000, signal: o.signal });
  } catch (e) {
    (e as { program?: Program }).program = program;
    throw e;
  }
  return program;
}
