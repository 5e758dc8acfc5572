import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { Node } from "yaml";
import type { Challenge } from "./challenge/schema.ts";
import { challengeSlugs } from "./challenge/load.ts";
import { closest } from "./closest.ts";
import { harnessOptions } from "./cmdline.ts";
import { ROOT } from "./paths.ts";

/** The implementation under test: a command line, and where its relative paths are resolved from. */
export interface Impl {
  command: string;
  /** Directory that relative paths in `command` are resolved against. */
  base: string;
  source: "flag or SYSCRAFT_IMPL" | "config file" | "reference solution" | "real implementation";
  /** Where the command came from, in words: "from --impl", "from impl.redis in syscraft.local.yaml line 2", … */
  origin?: string;
}

/** The learner's config file: syscraft.local.yaml in the project root, or SYSCRAFT_CONFIG. */
export function configFile(): string {
  return process.env.SYSCRAFT_CONFIG ?? join(ROOT, "syscraft.local.yaml");
}

/** A mistake in syscraft.local.yaml: the message names the file, the line and the field. */
export class ConfigFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigFileError";
  }
}

export interface ConfiguredImpl {
  command: string;
  /** 1-based line of the entry in the file. */
  line: number;
}

const EXAMPLE = "impl:\n    redis: /home/me/my-redis/your_program.sh";

/**
 * Reads and validates the config file (like challenge.yaml: a mistake is a
 * ConfigFileError with the file, line and field). The only key is `impl:`, a
 * mapping from challenge slugs to command lines. No file: no entries.
 */
export function configuredImpls(file = configFile(), known: readonly string[] = challengeSlugs()): Record<string, ConfiguredImpl> {
  if (!existsSync(file)) return {};
  // Loaded only when there is a file: it was most of a bun test process's start-up.
  const { isMap, isScalar, LineCounter, parseDocument } = require("yaml") as typeof import("yaml");
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, "utf8"), { lineCounter: lines });
  const lineOf = (node: Node | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : 1);
  const fail: (line: number, field: string, problem: string) => never = (line, field, problem) => {
    throw new ConfigFileError(`${file}:${line}: ${field}: ${problem}`);
  };
  const syntax = doc.errors[0];
  if (syntax) fail(syntax.linePos?.[0].line ?? 1, "(yaml)", `not valid YAML: ${syntax.message.split("\n")[0]}`);
  const top = doc.contents;
  if (top === null || (isScalar(top) && (top.value === null || top.value === ""))) return {};
  if (!isMap(top)) return fail(lineOf(top), "(top level)", `must be a mapping with one key, impl:, e.g.\n  ${EXAMPLE}`);
  let implNode: Node | null | undefined;
  let implLine = 1;
  for (const pair of top.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (key !== "impl") fail(lineOf(pair.key as Node), key, `unknown field (the file has one key, impl:, e.g.\n  ${EXAMPLE})`);
    implNode = pair.value as Node | null;
    implLine = lineOf(pair.key as Node);
  }
  if (implNode === undefined) return fail(1, "impl", `missing: say which program each challenge runs, e.g.\n  ${EXAMPLE}`);
  if (implNode === null || (isScalar(implNode) && (implNode.value === null || implNode.value === ""))) return {};
  if (!isMap(implNode)) {
    const got = isScalar(implNode) ? `the string "${String(implNode.value)}"` : "a list";
    return fail(implLine, "impl", `must map each challenge to its command line (got ${got}), e.g.\n  ${EXAMPLE}`);
  }
  const out: Record<string, ConfiguredImpl> = {};
  for (const pair of implNode.items) {
    const slug = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const line = lineOf(pair.key as Node);
    if (!known.includes(slug)) {
      const near = closest(slug, known);
      fail(line, `impl.${slug}`, `no challenge named "${slug}"${near ? ` (did you mean ${near}?)` : ""}; known: ${known.join(", ")}`);
    }
    const value = pair.value as Node | null;
    if (!isScalar(value) || typeof value.value !== "string" || value.value.trim() === "") {
      return fail(line, `impl.${slug}`, "must be a command line (a non-empty string), e.g. /home/me/my-redis/your_program.sh");
    }
    out[slug] = { command: (value.value as string).trim(), line };
  }
  return out;
}

/** "syscraft.local.yaml" relative to the project when inside it, else the full path. */
function shortPath(file: string): string {
  const rel = relative(ROOT, file);
  return rel.startsWith("..") || isAbsolute(rel) ? file : rel;
}

/** Which implementation runs a challenge's stages: --real, then --impl/SYSCRAFT_IMPL, then the config file, then the reference. */
export function resolveImpl(challenge: Challenge): Impl {
  const opts = harnessOptions();
  if (opts.real) {
    if (!challenge.real) throw new Error(`--real: the ${challenge.slug} challenge names no real implementation`);
    return { command: challenge.real.command, base: ROOT, source: "real implementation", origin: "--real: the real implementation" };
  }
  if (opts.impl !== undefined) {
    const origin = opts.implFrom === "SYSCRAFT_IMPL" ? "from SYSCRAFT_IMPL" : "from --impl";
    if (opts.impl.trim() === "") throw new ConfigFileError(`${opts.implFrom ?? "--impl"} is empty: give the command that starts your program, e.g. --impl=./your_program.sh`);
    return { command: opts.impl, base: process.env.SYSCRAFT_INVOKED_FROM ?? process.cwd(), source: "flag or SYSCRAFT_IMPL", origin };
  }
  const file = configFile();
  const fromConfig = configuredImpls(file)[challenge.slug];
  if (fromConfig) return { command: fromConfig.command, base: dirname(file), source: "config file", origin: `from impl.${challenge.slug} in ${shortPath(file)} line ${fromConfig.line}` };
  return {
    command: challenge.program.reference,
    base: ROOT,
    source: "reference solution",
    origin: `the reference solution: no --impl, SYSCRAFT_IMPL or impl.${challenge.slug} in ${shortPath(file)}`,
  };
}

/** Where an implementation came from, in words. */
export function implOrigin(impl: Impl): string {
  return impl.origin ?? impl.source;
}

/** Whether a run tests the learner's own program (not the reference solution or the real implementation). */
export function isLearnerProgram(impl: Impl): boolean {
  return impl.source === "flag or SYSCRAFT_IMPL" || impl.source === "config file";
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Makes relative paths in a command line absolute, so the program can run in
 * its own temporary directory: any word containing "/" that names an existing
 * file or directory relative to `base`, and any other word that names an
 * existing file there (`python3 app.py`), except a first word found on PATH
 * (the command itself, e.g. `python3`).
 */
export function absolutize(command: string, base: string): string {
  let first = true;
  return command
    .split(/(\s+)/)
    .map((word) => {
      if (word === "" || /^\s+$/.test(word)) return word;
      const isFirst = first;
      first = false;
      if (isAbsolute(word) || /^[-'"$~]/.test(word) || word.includes("=")) return word;
      const abs = resolve(base, word);
      if (word.includes("/")) return existsSync(abs) ? abs : word;
      if (isFirst && Bun.which(word) !== null) return word;
      return isFile(abs) ? abs : word;
    })
    .join("");
}

/**
 * What is wrong with the program a command line starts, before anything
 * runs: its first word (after VAR=value assignments) names a path that does
 * not exist, or a file that is not executable. Undefined when it looks
 * runnable (a command found on PATH is not checked).
 */
export function programProblem(impl: Impl): string | undefined {
  const words = absolutize(impl.command, impl.base).trim().split(/\s+/);
  const program = words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  if (program === undefined || !program.includes("/") || /^['"$~]/.test(program)) return undefined;
  const where = `${impl.command} (${implOrigin(impl)})`;
  if (!existsSync(program)) return `${where}: ${program} does not exist${isAbsolute(program) ? "" : ` (relative to ${impl.base})`}`;
  try {
    if (statSync(program).isFile()) accessSync(program, constants.X_OK);
  } catch {
    return `${where}: ${program} is not executable: chmod +x ${program}`;
  }
  return undefined;
}
