/**
 * The learner's own record of the stage they are on: `syscraft.yml` at the
 * root of their repository, written by `bun run init` and bumped by them,
 * as CodeCrafters does with its config:
 *
 *   stage: redis/4
 *
 * Their CI workflow grades that stage with its regression
 * (`bun run grade --stage-file=syscraft.yml`), so it is green when the stage
 * they have reached passes, not red for the stages still ahead.
 */
import { existsSync, readFileSync } from "node:fs";
import { isMap, isScalar, parseDocument } from "yaml";
import { loadChallenge } from "./challenge/load.ts";
import { parseSelection, resolveSelection } from "./stage/selection.ts";

export const LEARNER_FILE = "syscraft.yml";

export function learnerFileText(stage: string): string {
  return `# The stage your program is on. Bump it when a stage passes (redis/2, redis/3, …;
# an extension's stage: redis/lists/1). The GitHub workflow grades this stage
# and, as regression, every stage before it.
stage: ${stage}
`;
}

/** The stage named in a learner's syscraft.yml, checked: one line naming file, line and field on any mistake. */
export function readLearnerStage(file: string): string {
  if (!existsSync(file)) throw new Error(`${file}: no such file (bun run init writes it, with "stage: <challenge>/1")`);
  const text = readFileSync(file, "utf8");
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message.split("\n")[0]}`);
  const root = doc.contents;
  if (!isMap(root)) throw new Error(`${file}: expected "stage: <challenge>/<n>" (for example stage: redis/4)`);
  const lineOf = (offset: number | undefined) => (offset === undefined ? 1 : text.slice(0, offset).split("\n").length);
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (key !== "stage") throw new Error(`${file} line ${lineOf(isScalar(pair.key) ? pair.key.range?.[0] : undefined)}: unknown field "${key}" (the file holds only stage: <challenge>/<n>)`);
  }
  const node = root.get("stage", true);
  if (!isScalar(node) || typeof node.value !== "string") throw new Error(`${file}: stage: must be a stage such as redis/4`);
  const line = lineOf(node.range?.[0]);
  const stage = String(node.value).trim();
  try {
    const sel = parseSelection(stage, false);
    if (sel.stage === undefined) throw new Error(`name one stage, such as ${sel.challenge}/${sel.extension ? `${sel.extension}/` : ""}1`);
    resolveSelection(loadChallenge(sel.challenge), sel);
  } catch (e) {
    throw new Error(`${file} line ${line}: stage: ${stage}: ${(e as Error).message}`);
  }
  return stage;
}
