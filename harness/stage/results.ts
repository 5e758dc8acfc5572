import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { paddedId } from "../challenge/stages.ts";
import { STATE_DIR } from "../paths.ts";
import type { CaseResult } from "./types.ts";

/** Appends one case's result to the JSONL file named by SYSCRAFT_RESULTS (used by `bun run grade`). */
export function appendResult(file: string | undefined, r: CaseResult): void {
  if (!file) return;
  appendFileSync(file, `${JSON.stringify(r)}\n`);
}

export function readResults(file: string): CaseResult[] {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as CaseResult);
}

export interface StageRecord {
  challenge: string;
  /** The stage's id ("3", "lists/2"). */
  stage: string;
  impl: string;
  passed: boolean;
  at: string;
}

function progressDir(impl: string): string {
  return join(STATE_DIR, "progress", createHash("sha256").update(impl).digest("hex").slice(0, 16));
}

/** Remembers whether a stage last passed for an implementation (for `bun run progress`). */
export function recordStage(rec: StageRecord): void {
  const dir = progressDir(rec.impl);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${rec.challenge}-${paddedId(rec.stage).replaceAll("/", "-")}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(rec));
  renameSync(tmp, file);
}

export function readStageRecords(impl: string): StageRecord[] {
  const dir = progressDir(impl);
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
  return names.map((n) => {
    const rec = JSON.parse(readFileSync(join(dir, n), "utf8")) as StageRecord;
    // Records written before extensions existed hold the stage number.
    return { ...rec, stage: String(rec.stage) };
  });
}
