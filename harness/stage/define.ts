import { basename, dirname } from "node:path";
import { loadChallenge } from "../challenge/load.ts";
import { findExtension, groupStages } from "../challenge/stages.ts";
import { requireNeeds } from "../netns/needs.ts";
import { registerStage } from "./register.ts";
import { fullRun } from "./selection.ts";
import type { StageCase, StageDefinition } from "./types.ts";

/** Which challenge and extension a stage file belongs to, from its directory. */
function stageFileOwner(file: string): { challenge: string; extension?: string } {
  const dir = dirname(file);
  const parent = dirname(dir);
  // stages/<challenge>/NN-x.test.ts, or stages/<challenge>/<extension>/NN-x.test.ts
  if (basename(parent) === "stages") return { challenge: basename(dir) };
  return { challenge: basename(parent), extension: basename(dir) };
}

/**
 * Declares a stage from its file `stages/<challenge>/NN-<slug>.test.ts` (a
 * base stage) or `stages/<challenge>/<extension>/NN-<slug>.test.ts` (a stage
 * of an extension):
 *
 *   export default stage(import.meta, [ { name: "…", async run(t) { … } }, … ]);
 *
 * In a full run (`bun test`) the stage registers its cases itself. When a
 * selection is active (`--stage=redis/3`), stages/selected.test.ts registers
 * the selected stages in order, and this file registers nothing.
 */
export function stage(meta: { path: string }, cases: StageCase[]): StageDefinition {
  const file = meta.path;
  const owner = stageFileOwner(file);
  const m = /^(\d+)-([a-z0-9-]+)\.test\.ts$/.exec(basename(file));
  if (!m) throw new Error(`${file}: stage files are named NN-<stage-slug>.test.ts`);
  const challenge = loadChallenge(owner.challenge);
  let defined = challenge.file;
  if (owner.extension !== undefined) {
    const ext = findExtension(challenge, owner.extension);
    if (!ext) throw new Error(`${file}: the ${challenge.slug} challenge has no extension "${owner.extension}" (${challenge.file} lists: ${challenge.extensions.map((e) => e.slug).join(", ") || "none"})`);
    defined = ext.file;
  }
  const number = Number(m[1]);
  const info = groupStages(challenge, owner.extension).find((s) => s.number === number);
  if (!info) throw new Error(`${file}: ${defined} has no stage ${number}`);
  if (info.slug !== m[2]) throw new Error(`${file}: ${defined} calls stage ${number} "${info.slug}", but the file is named "${m[2]}"`);
  if (cases.length === 0) throw new Error(`${file}: a stage needs at least one case`);
  const names = new Set<string>();
  for (const c of cases) {
    if (names.has(c.name)) throw new Error(`${file}: two cases are named "${c.name}"`);
    names.add(c.name);
  }
  // A stage that needs root, network namespaces… fails each case at once, naming what the machine lacks.
  const needs = info.needs ?? [];
  const checked = needs.length === 0 ? cases : cases.map((c): StageCase => ({
          ...c,
          async run(t) {
            requireNeeds(needs);
            await c.run(t);
          },
        }));
  const def: StageDefinition = { challenge, stage: info, cases: checked, file };
  if (fullRun()) registerStage(def);
  return def;
}
