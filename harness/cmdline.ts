import { readFileSync } from "node:fs";

/**
 * Options for the harness come from the command line of `bun test` (or of a
 * syscraft command) and from environment variables.
 *
 * Bun does not hand unknown flags such as `--stage=redis/3` to test files in
 * process.argv, but the test process's own command line (/proc/self/cmdline)
 * still holds them. Under `bun test --parallel`, the files run in worker
 * processes (`--test-worker`) whose parent holds the flags.
 */
function readCmdline(pid: string | number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((a) => a !== "");
  } catch {
    return [];
  }
}

/** Whether this process is a `bun test --parallel` worker (its own command line says so). */
export function isTestWorker(): boolean {
  return readCmdline("self").includes("--test-worker");
}

export function parentPid(pid: string | number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ppid = Number(fields[1]);
    return Number.isFinite(ppid) && ppid > 1 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** The argument list the user typed: this process's, or for a `--test-worker`, its parent's. */
export function userArgv(): string[] {
  const own = readCmdline("self");
  const argv = own.length > 0 ? own : process.argv;
  if (argv.includes("--test-worker")) {
    const ppid = parentPid("self");
    if (ppid !== undefined) return readCmdline(ppid);
  }
  return argv;
}

/** `--name=value` or `--name value` → value; `--name` alone → "". Last one wins. */
export function flagValue(argv: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === `--${name}`) {
      const next = argv[i + 1];
      found = next !== undefined && !next.startsWith("--") ? next : "";
    } else if (arg.startsWith(`--${name}=`)) {
      found = arg.slice(name.length + 3);
    }
  }
  return found;
}

export interface HarnessOptions {
  /** `redis/3`: stages 1..3 of redis. */
  stage?: string;
  /** `redis/3`: stage 3 of redis alone. */
  stageOnly?: string;
  /** A command line that starts the implementation under test. */
  impl?: string;
  /** Where `impl` came from. */
  implFrom?: "--impl" | "SYSCRAFT_IMPL";
  /** Run against the challenge's real implementation (e.g. redis-server). */
  real: boolean;
  /** Seed for random inputs. */
  seed?: string;
  /** Print the transcript as it happens, not only on failure. */
  verbose: boolean;
  /** JSONL file the harness appends one record per case to. */
  resultsFile?: string;
  /** Whether this run was typed as `bun test` with a test-file path filter: informative only. */
  argv: string[];
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}

let cached: HarnessOptions | undefined;

export function harnessOptions(): HarnessOptions {
  if (cached) return cached;
  const argv = userArgv();
  const env = process.env;
  const realFlag = flagValue(argv, "real");
  const implFlag = flagValue(argv, "impl");
  cached = {
    stage: flagValue(argv, "stage") ?? env.SYSCRAFT_STAGE,
    stageOnly: flagValue(argv, "stage-only") ?? env.SYSCRAFT_STAGE_ONLY,
    impl: implFlag ?? env.SYSCRAFT_IMPL,
    real: realFlag !== undefined ? realFlag === "" || truthy(realFlag) : truthy(env.SYSCRAFT_REAL),
    seed: flagValue(argv, "seed") ?? env.SYSCRAFT_SEED,
    verbose: flagValue(argv, "verbose") !== undefined || truthy(env.SYSCRAFT_VERBOSE),
    resultsFile: env.SYSCRAFT_RESULTS,
    argv,
  };
  const implFrom = implFlag !== undefined ? "--impl" : env.SYSCRAFT_IMPL !== undefined ? "SYSCRAFT_IMPL" : undefined;
  if (implFrom) cached.implFrom = implFrom;
  return cached;
}

/** The flags syscraft reads from a `bun test` command line, and whether each takes a value. */
export const SYSCRAFT_FLAGS: readonly { name: string; takesValue: boolean; example: string }[] = [
  { name: "stage", takesValue: true, example: "--stage=redis/3" },
  { name: "stage-only", takesValue: true, example: "--stage-only=redis/3" },
  { name: "impl", takesValue: true, example: '--impl="./your_program.sh"' },
  { name: "real", takesValue: false, example: "--real" },
  { name: "seed", takesValue: true, example: "--seed=42" },
  { name: "verbose", takesValue: false, example: "--verbose" },
  { name: "memory-limit", takesValue: true, example: "--memory-limit=2G" },
];

export interface KnownFlag {
  name: string;
  short?: string;
  takesValue: boolean;
}

/** The part of a `bun test …` command line after `test` (all of it when there is no `test` word). */
export function testArgs(argv: readonly string[]): string[] {
  const i = argv.indexOf("test");
  return argv.slice(i === -1 ? 0 : i + 1);
}

/** One word of a `bun test …` command line: a flag (with the value it took, if any) or a positional word. */
export type ArgWord =
  | { kind: "flag"; arg: string; long: boolean; name: string; flag?: KnownFlag; syscraft: boolean; value?: string; words: string[] }
  | { kind: "positional"; arg: string };

/**
 * bun's flags whose value is optional: they take it only inline (`--bail=3`),
 * never from the next word (`bun test --parallel a.test.ts` runs a.test.ts in
 * parallel), as bun 1.4 parses them (measured: `--bail`, `--parallel` and
 * `--changed` followed by a file; every other value flag takes the file as its value).
 */
const INLINE_VALUE_ONLY = new Set(["bail", "parallel", "changed"]);

/**
 * Splits a `bun test …` command line into flags and positional words, a
 * flag taking the next word as its value when it takes one and has no
 * inline value (`--impl ./run.sh`, `-t PING`), unless bun's value for it is
 * optional (INLINE_VALUE_ONLY). Everything after `--` is positional.
 */
export function splitArgs(args: readonly string[], bun: readonly KnownFlag[]): ArgWord[] {
  const known: KnownFlag[] = [...SYSCRAFT_FLAGS, ...bun];
  const out: ArgWord[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      out.push(...args.slice(i + 1).map((a): ArgWord => ({ kind: "positional", arg: a })));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      out.push({ kind: "positional", arg });
      continue;
    }
    const long = arg.startsWith("--");
    const name = long ? arg.slice(2).split("=")[0]! : arg.slice(1, 2);
    const flag = long ? known.find((f) => f.name === name) : known.find((f) => f.short === name);
    const word: ArgWord = { kind: "flag", arg, long, name, syscraft: long && SYSCRAFT_FLAGS.some((f) => f.name === name), words: [arg] };
    if (flag) word.flag = flag;
    const inline = long ? arg.includes("=") : arg.length > 2;
    if (inline) word.value = long ? arg.slice(arg.indexOf("=") + 1) : arg.slice(2);
    else if (flag?.takesValue && !(long && INLINE_VALUE_ONLY.has(name))) {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith("-")) {
        word.value = next;
        word.words.push(next);
        i++;
      }
    }
    out.push(word);
  }
  return out;
}

/**
 * The first problem with the flags of a `bun test …` command line, or
 * undefined: a flag neither bun (`bunFlags`) nor syscraft knows (bun would
 * drop it silently), named with the closest known one; or a syscraft flag
 * without its value.
 */
export function flagProblem(args: readonly string[], bun: readonly KnownFlag[], closestName: (word: string, known: string[]) => string | undefined): string | undefined {
  const known: KnownFlag[] = [...SYSCRAFT_FLAGS, ...bun];
  for (const w of splitArgs(args, bun)) {
    if (w.kind !== "flag") continue;
    if (!w.flag) {
      const near = closestName(w.name, w.long ? known.map((f) => f.name) : known.flatMap((f) => (f.short ? [f.short] : [])));
      const shown = w.long ? `--${near}` : `-${near}`;
      return `unknown flag ${w.arg}${near ? ` (did you mean ${shown}?)` : ""}. syscraft's flags: ${SYSCRAFT_FLAGS.map((f) => `--${f.name}`).join(", ")}; bun's: bun test --help`;
    }
    const own = SYSCRAFT_FLAGS.find((f) => f.name === w.name && w.syscraft);
    if (own?.takesValue && (w.value === undefined || w.value.trim() === "")) return `--${own.name} needs a value, e.g. ${own.example}`;
  }
  return undefined;
}
