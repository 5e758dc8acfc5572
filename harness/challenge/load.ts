import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { CHALLENGES_DIR, STAGES_DIR } from "../paths.ts";
import type { Challenge, StageInfo } from "./schema.ts";
import { ChallengeFileError, validateChallenge } from "./validate.ts";

const cache = new Map<string, Challenge>();

export function challengeFile(slug: string): string {
  return join(CHALLENGES_DIR, slug, "challenge.yaml");
}

/** Parses and validates one challenge.yaml. Throws ChallengeFileError naming file and field. */
export function parseChallenge(text: string, file: string, slug: string): Challenge {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw new ChallengeFileError(file, "(yaml)", (e as Error).message.split("\n")[0] ?? "not valid YAML");
  }
  return validateChallenge(raw, file, slug);
}

export function loadChallenge(slug: string): Challenge {
  const hit = cache.get(slug);
  if (hit) return hit;
  const file = challengeFile(slug);
  if (!existsSync(file)) {
    throw new Error(`no challenge named "${slug}" (looked for ${file}); known: ${challengeSlugs().join(", ") || "none"}`);
  }
  const challenge = parseChallenge(readFileSync(file, "utf8"), file, slug);
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

/** `stages/<slug>/NN-<stage-slug>` without extension. */
export function stageBasePath(challenge: Challenge, stage: StageInfo): string {
  return join(STAGES_DIR, challenge.slug, `${String(stage.number).padStart(2, "0")}-${stage.slug}`);
}

export function stageTestFile(challenge: Challenge, stage: StageInfo): string {
  return `${stageBasePath(challenge, stage)}.test.ts`;
}

export function stageDocFile(challenge: Challenge, stage: StageInfo): string {
  return `${stageBasePath(challenge, stage)}.md`;
}
