import { afterAll, describe, test } from "bun:test";
import { stageName } from "../challenge/stages.ts";
import { harnessOptions } from "../cmdline.ts";
import { resolveImpl } from "../impl.ts";
import { killAllNow } from "../process/reaper.ts";
import { caseFailed } from "./case-failed.ts";
import { appendResult, recordStage } from "./results.ts";
import { caseTimeoutMs, runCase } from "./run-case.ts";
import type { StageDefinition } from "./types.ts";

/** How much longer than a case's own limit bun waits before it gives up on it (cleanup time). */
const BACKSTOP_MS = 8000;

export function stageTitle(def: StageDefinition, regression = false): string {
  return `${stageName(def.challenge, def.stage)} ${def.stage.name}${regression ? " (regression)" : ""}`;
}

/** Registers a stage's cases as bun tests, run against the implementation in force. */
export function registerStage(def: StageDefinition, regression = false): void {
  describe(stageTitle(def, regression), () => {
    const impl = resolveImpl(def.challenge);
    let allPassed = true;
    let ran = 0;
    for (const c of def.cases) {
      test(
        c.name,
        async () => {
          const r = await runCase(def, c, impl);
          ran++;
          if (!r.ok) allPassed = false;
          appendResult(harnessOptions().resultsFile, r);
          if (!r.ok) {
            process.stderr.write(`\n${r.message}\n\n`);
            caseFailed(`${stageName(def.challenge, def.stage)}: ${c.name}`);
          }
        },
        caseTimeoutMs(def, c) + BACKSTOP_MS,
      );
    }
    afterAll(() => {
      // bun test runs no process "exit" handlers, and a case that bun gave up on
      // (its time-out backstop, or a stray error pinned on it) may still hold
      // programs: none may outlive the stage.
      killAllNow();
      if (ran === def.cases.length) recordStage({ challenge: def.challenge.slug, stage: def.stage.id, impl: impl.command, passed: allPassed, at: new Date().toISOString() });
    });
  });
}
