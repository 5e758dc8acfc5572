/**
 * Runs the stages chosen on the command line:
 *   bun test --stage=redis/3          stage 3 first, then stages 1 and 2 again as regression
 *   bun test --stage-only=redis/3     stage 3 alone
 *   bun test --stage=redis/lists/2    stage 2 of the lists extension, then every base stage, the
 *                                     extensions lists requires, and lists/1 (see harness/stage/selection.ts)
 * Each stage's cases start a fresh program. In a full run this file registers nothing:
 * every stage file registers itself.
 */
import { describe, test } from "bun:test";
import { existsSync } from "node:fs";
import { relative } from "node:path";
import { loadChallenge, stageTestFile } from "../harness/challenge/load.ts";
import { stageName } from "../harness/challenge/stages.ts";
import { ROOT } from "../harness/paths.ts";
import { registerStage } from "../harness/stage/register.ts";
import { currentSelection, resolveSelection, runnableStages, type Selection } from "../harness/stage/selection.ts";
import { harnessOptions } from "../harness/cmdline.ts";
import type { StageDefinition } from "../harness/stage/types.ts";

function selectionError(message: string): void {
  describe("stage selection", () => {
    test("the selected stages exist", () => {
      const err = new Error(message);
      err.stack = message;
      throw err;
    });
  });
}

let selection: Selection | undefined;
let problem: string | undefined;
try {
  selection = currentSelection();
} catch (e) {
  problem = (e as Error).message;
}

if (problem) selectionError(problem);
else if (selection) {
  try {
    const challenge = loadChallenge(selection.challenge);
    for (const { stage, regression } of runnableStages(resolveSelection(challenge, selection), harnessOptions().real).run) {
      const file = stageTestFile(challenge, stage);
      if (!existsSync(file)) throw new Error(`${stageName(challenge, stage)} ${stage.name}: its tests are not written yet (no ${relative(ROOT, file)})`);
      const mod = (await import(file)) as { default: StageDefinition };
      registerStage(mod.default, regression);
    }
  } catch (e) {
    selectionError((e as Error).message);
  }
}
