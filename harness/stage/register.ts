import { afterAll, describe, test } from "bun:test";
import { stageName } from "../challenge/stages.ts";
import { harnessOptions } from "../cmdline.ts";
import { absolutize, isLearnerProgram, resolveImpl } from "../impl.ts";
import { killAllNow } from "../process/reaper.ts";
import { say } from "../report/say.ts";
import { caseFailed } from "./case-failed.ts";
import { appendResult, recordStage } from "./results.ts";
import { caseTimeoutMs, runCase } from "./run-case.ts";
import type { StageDefinition } from "./types.ts";

/** How much longer than a case's own limit bun waits before it gives up on it (cleanup time). */
const BACKSTOP_MS = 8000;

export function stageTitle(def: StageDefinition, regression = false): string {
  return `${stageName(def.challenge, def.stage)} ${def.stage.name}${regression ? " (regression)" : ""}`;
}

/**
 * A program that cannot start fails every case the same way: the first such
 * report is printed in full, the next ones as one line pointing at it.
 */
let lastStartFailure: string | undefined;
/** Whether the last thing printed was a full report (the next line gets a blank line before it). */
let afterReport = false;

function sayLine(line: string): void {
  say(afterReport ? `\n${line}` : line);
  afterReport = false;
}

/** The report to print for a failed case: in full, or one line when it repeats the start failure just reported. */
export function shownReport(message: string): string {
  const lines = message.split("\n");
  const what = lines[1]?.trim() ?? "";
  const start = /^Your program (exited with code \d+ before listening|did not listen on)/.test(what) ? what.replace(/\d+/g, "N") : undefined;
  if (start !== undefined && start === lastStartFailure) return `${lines[0]}: the same failure as above (${what})`;
  lastStartFailure = start;
  return message;
}

/**
 * SYSCRAFT_ONLY_CASE, set by the suite's fixture checks on their inner runs
 * (never by a learner's run): only the case of that name is registered, so a
 * broken fixture known to fail one case starts one program, not the whole stage.
 */
const onlyCase = () => (process.env.SYSCRAFT_INNER ? process.env.SYSCRAFT_ONLY_CASE : undefined);

/** Registers a stage's cases as bun tests, run against the implementation in force. */
export function registerStage(def: StageDefinition, regression = false): void {
  const title = stageTitle(def, regression);
  describe(title, () => {
    const impl = resolveImpl(def.challenge);
    let failed = 0;
    let ran = 0;
    const only = onlyCase();
    for (const c of def.cases) {
      if (only !== undefined && c.name !== only) continue;
      test(
        c.name,
        async () => {
          const r = await runCase(def, c, impl);
          ran++;
          if (!r.ok) failed++;
          appendResult(harnessOptions().resultsFile, r);
          if (!r.ok) {
            const shown = shownReport(r.message);
            if (shown === r.message) {
              say(`\n${shown}`);
              afterReport = true;
            } else sayLine(shown);
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
      const total = def.cases.length;
      if (process.env.SYSCRAFT_INNER) {
        const notRun = process.env.SYSCRAFT_PARTIAL ? `✓ ${title}: ${ran} case${ran === 1 ? "" : "s"} passed (${total - ran} not selected by your filter)` : `✗ ${title}: ${total - ran} of ${total} cases did not run`;
        const line = failed > 0 ? `✗ ${title}: ${failed} of ${total} cases failed` : ran < total ? notRun : `✓ ${title}: ${total} case${total === 1 ? "" : "s"} passed`;
        sayLine(line);
      }
      // Progress is the learner's: runs of the reference solution or the real implementation are not theirs.
      if (ran === total && only === undefined && isLearnerProgram(impl)) {
        recordStage({ challenge: def.challenge.slug, stage: def.stage.id, impl: absolutize(impl.command, impl.base), passed: failed === 0, at: new Date().toISOString() });
      }
    });
  });
}
