/**
 * Command-line parsing shared by the syscraft commands (grade, progress,
 * stages, init, bench): node:util parseArgs, strict, and every mistake is one
 * clear line on stderr and exit code 2, never a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { challengeSlugs, loadChallenge } from "../challenge/load.ts";
import type { Challenge } from "../challenge/schema.ts";
import { closest } from "../closest.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Prints `<command>: <message>` and the usage hint, exits 2. */
export function usageError(command: string, message: string): never {
  console.error(`${command}: ${message} (usage: bun run ${command} --help)`);
  process.exit(2);
}

/**
 * Parses argv strictly: an unknown flag is named with the closest known one;
 * a flag without its value, or with an empty value, is an error. `--help`/-h
 * prints the usage and exits 0.
 */
export function parseCommandLine<O extends Options>(command: string, usage: string, options: O, argv = process.argv.slice(2)) {
  const all = { ...options, help: { type: "boolean", short: "h" } } as O & { help: { type: "boolean"; short: "h" } };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: all, allowPositionals: true, strict: true });
  } catch (e) {
    const message = (e as Error).message.split("\n")[0]!;
    const unknown = /Unknown option '(--?[^']+)'/.exec(message);
    if (unknown) {
      const name = unknown[1]!.replace(/^-+/, "").split("=")[0]!;
      usageError(command, `unknown flag ${unknown[1]} (did you mean --${closest(name, Object.keys(all))}?)`);
    }
    usageError(command, message.replace(/^Option '(--?[a-z-]+)[^']*' argument missing$/, "$1 needs a value"));
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  for (const [name, spec] of Object.entries(options)) {
    const v = (parsed.values as Record<string, unknown>)[name];
    if (spec.type === "string" && typeof v === "string" && (v.trim() === "" || v.startsWith("-"))) usageError(command, `--${name} needs a value (got "${v}")`);
  }
  return parsed;
}

/** The challenge a command names, or one line naming the closest known challenge and exit 2. */
export function challengeArg(command: string, slug: string): Challenge {
  const known = challengeSlugs();
  if (!known.includes(slug)) usageError(command, `no challenge named "${slug}" (did you mean ${closest(slug, known)}?); known: ${known.join(", ")}`);
  try {
    return loadChallenge(slug);
  } catch (e) {
    console.error(`${command}: ${(e as Error).message}`);
    process.exit(2);
  }
}
