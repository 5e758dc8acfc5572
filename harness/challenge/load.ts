import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CHALLENGES_DIR, STAGES_DIR } from "../paths.ts";
import { parseYaml } from "./fields.ts";
import type { Challenge, StageInfo } from "./schema.ts";
import { paddedId } from "./stages.ts";
import { validateChallenge, type ReadText } from "./validate.ts";

const cache = new Map<string, Challenge>();

export function challengeFile(slug: string): string {
  return join(CHALLENGES_DIR, slug, "challenge.yaml");
}

/** Reads a file from disk, or undefined when it does not exist. */
export const readTextFile: ReadText = (path) => (existsSync(path) ? readFileSync(path, "utf8") : undefined);

/**
 * Parses and validates one challenge.yaml, and the extension files it lists
 * (read with `readText`; by default none exist). Throws ChallengeFileError
 * naming file and field.
 */
export function parseChallenge(text: string, file: string, slug: string, readText?: ReadText): Challenge {
  return validateChallenge(parseYaml(text, file), file, slug, readText);
}

export function loadChallenge(slug: string): Challenge {
  const hit = cache.get(slug);
  if (hit) return hit;
  const file = challengeFile(slug);
  if (!existsSync(file)) {
    throw new Error(`no challenge named "${slug}" (looked for ${file}); known: ${challengeSlugs().join(", ") || "none"}`);
  }
  const challenge = parseChallenge(readFileSync(file, "utf8"), file, slug, readTextFile);
  cache.set(slug, challenge);
  return challenge;
}

export function challengeSlugs(): string[] {
  if (!existsSync(CHALLENGES_DIR)) return [];
  return readdirSync(CHALLENGES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(CHALLENGES_DIR, d.name, "challenge.yaml")))
    .map((d) => d.name)
    .sort();
}

export function loadAllChallenges(): Challenge[] {
  return challengeSlugs().map(loadChallenge);
}

/** `stages/<slug>/NN-<stage-slug>`, or `stages/<slug>/<ext>/NN-<stage-slug>` for an extension's stage; without extension. */
export function stageBasePath(challenge: Challenge, stage: StageInfo): string {
  return join(STAGES_DIR, challenge.slug, `${paddedId(stage.id)}-${stage.slug}`);
}

export function stageTestFile(challenge: Challenge, stage: StageInfo): string {
  return `${stageBasePath(challenge, stage)}.test.ts`;
}

export function stageDocFile(challenge: Challenge, stage: StageInfo): string {
  return `${stageBasePath(challenge, stage)}.md`;
}
