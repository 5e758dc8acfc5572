import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parse } from "yaml";
import type { Challenge } from "./challenge/schema.ts";
import { harnessOptions } from "./cmdline.ts";
import { ROOT } from "./paths.ts";

/** The implementation under test: a command line, and where its relative paths are resolved from. */
export interface Impl {
  command: string;
  /** Directory that relative paths in `command` are resolved against. */
  base: string;
  source: "flag or SYSCRAFT_IMPL" | "config file" | "reference solution" | "real implementation";
}

/** The learner's config file: syscraft.local.yaml in the project root, or SYSCRAFT_CONFIG. */
export function configFile(): string {
  return process.env.SYSCRAFT_CONFIG ?? join(ROOT, "syscraft.local.yaml");
}

export function configuredImpls(file = configFile()): Record<string, string> {
  if (!existsSync(file)) return {};
  const raw = parse(readFileSync(file, "utf8")) as { impl?: Record<string, unknown> } | null;
  const out: Record<string, string> = {};
  for (const [slug, cmd] of Object.entries(raw?.impl ?? {})) {
    if (typeof cmd !== "string" || cmd.trim() === "") throw new Error(`${file}: impl.${slug}: must be a command line (a non-empty string)`);
    out[slug] = cmd;
  }
  return out;
}

/** Which implementation runs a challenge's stages: --real, then --impl/SYSCRAFT_IMPL, then the config file, then the reference. */
export function resolveImpl(challenge: Challenge): Impl {
  const opts = harnessOptions();
  if (opts.real) {
    if (!challenge.real) throw new Error(`--real: the ${challenge.slug} challenge names no real implementation`);
    return { command: challenge.real.command, base: ROOT, source: "real implementation" };
  }
  if (opts.impl) return { command: opts.impl, base: process.env.SYSCRAFT_INVOKED_FROM ?? process.cwd(), source: "flag or SYSCRAFT_IMPL" };
  const fromConfig = configuredImpls()[challenge.slug];
  if (fromConfig) return { command: fromConfig, base: dirname(configFile()), source: "config file" };
  return { command: challenge.program.reference, base: ROOT, source: "reference solution" };
}

/**
 * Makes relative paths in a command line absolute, so the program can run in
 * its own temporary directory: any word containing "/" that names an existing
 * file or directory relative to `base`.
 */
export function absolutize(command: string, base: string): string {
  return command
    .split(/(\s+)/)
    .map((word) => {
      if (!word.includes("/") || isAbsolute(word) || /^[-'"$]/.test(word) || word.includes("=")) return word;
      const abs = resolve(base, word);
      return existsSync(abs) ? abs : word;
    })
    .join("");
}
