import { basename, dirname } from "node:path";
import { loadChallenge } from "../challenge/load.ts";
import { registerStage } from "./register.ts";
import { fullRun } from "./selection.ts";
import type { StageCase, StageDefinition } from "./types.ts";

/**
 * Declares a stage from its file `stages/<challenge>/NN-<slug>.test.ts`:
 *
 *   export default stage(import.meta, [ { name: "…", async run(t) { … } }, … ]);
 *
 * In a full run (`bun test`) the stage registers its cases itself. When a
 * selection is active (`--stage=redis/3`), stages/selected.test.ts registers
 * the selected stages in order, and this file registers nothing.
 */
export function stage(meta: { path: string }, cases: StageCase[]): StageDefinition {
  const file = meta.path;
  const slug = basename(dirname(file));
  const m = /^(\d+)-([a-z0-9-]+)\.test\.ts$/.exec(basename(file));
  if (!m) throw new Error(`${file}: stage files are named NN-<stage-slug>.test.ts`);
  const challenge = loadChallenge(slug);
  const number = Number(m[1]);
  const info = challenge.stages.find((s) => s.number === number);
  if (!info) throw new Error(`${file}: ${challenge.file} has no stage ${number}`);
  if (info.slug !== m[2]) throw new Error(`${file}: ${challenge.file} calls stage ${number} "${info.slug}", but the file is named "${m[2]}"`);
  if (cases.length === 0) throw new Error(`${file}: a stage needs at least one case`);
  const names = new Set<string>();
  for (const c of cases) {
    if (names.has(c.name)) throw new Error(`${file}: two cases are named "${c.name}"`);
    names.add(c.name);
  }
  const def: StageDefinition = { challenge, stage: info, cases, file };
  if (fullRun()) registerStage(def);
  return def;
}
