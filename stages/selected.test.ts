/**
 * Runs the stages chosen on the command line:
 *   bun test --stage=redis/3        stage 3 first, then stages 1 and 2 again as regression
 *   bun test --stage-only=redis/3   stage 3 alone
 * Each stage's cases start a fresh program. In a full run this file registers nothing:
 * every stage file registers itself.
 */
import { describe, test } from "bun:test";
import { loadChallenge, stageTestFile } from "../harness/challenge/load.ts";
import { registerStage } from "../harness/stage/register.ts";
import { currentSelection, type Selection } from "../harness/stage/selection.ts";
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
    const last = challenge.stages.length;
    if (selection.stage < 1 || selection.stage > last) {
      throw new Error(`${selection.text}: the ${challenge.slug} challenge has stages 1 to ${last} (see: bun run stages ${challenge.slug})`);
    }
    const numbers = selection.only ? [selection.stage] : [selection.stage, ...Array.from({ length: selection.stage - 1 }, (_, i) => i + 1)];
    for (const n of numbers) {
      const info = challenge.stages[n - 1]!;
      const mod = (await import(stageTestFile(challenge, info))) as { default: StageDefinition };
      registerStage(mod.default, n !== selection.stage);
    }
  } catch (e) {
    selectionError((e as Error).message);
  }
}
