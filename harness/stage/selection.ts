import { harnessOptions, testArgs, userArgv } from "../cmdline.ts";
import { ROOT } from "../paths.ts";
import { say } from "../report/say.ts";
import type { Challenge, StageInfo } from "../challenge/schema.ts";
import { allStages, findExtension, prerequisites } from "../challenge/stages.ts";

/**
 * Which stages a run is limited to:
 *   --stage=redis/3          base stage 3, then base stages 1..2 as regression
 *   --stage=redis/lists/2    stage 2 of the lists extension, then its regression (see prerequisites())
 *   --stage=redis/lists      as --stage=redis/lists/<its last stage>
 *   --stage=redis            every stage: the base stages, then each extension's
 *   --stage-only=…           the stage alone (an extension: its stages alone; a challenge: every stage)
 */
export interface Selection {
  challenge: string;
  extension?: string;
  /** Absent: the last stage of the extension, or (without extension) every stage of the challenge. */
  stage?: number;
  only: boolean;
  /** As typed, for messages. */
  text: string;
}

export interface SelectedStage {
  stage: StageInfo;
  /** Run again as regression, after the selected stage. */
  regression: boolean;
}

export class SelectionError extends Error {}

function flagName(only: boolean): string {
  return only ? "--stage-only" : "--stage";
}

export function parseSelection(text: string, only: boolean): Selection {
  const m = /^([a-z0-9-]+)(?:\/([a-z][a-z0-9-]*))?(?:\/(\d+))?$/.exec(text.trim());
  if (!m) {
    const flag = flagName(only);
    throw new SelectionError(`${flag}=${text}: expected <challenge>/<stage number> or <challenge>/<extension>/<stage number>, e.g. ${flag}=redis/3 or ${flag}=redis/lists/2`);
  }
  const sel: Selection = { challenge: m[1]!, only, text };
  if (m[2] !== undefined) sel.extension = m[2];
  if (m[3] !== undefined) sel.stage = Number(m[3]);
  return sel;
}

function range(stages: StageInfo[]): string {
  return stages.length === 1 ? "stage 1" : `stages 1 to ${stages.length}`;
}

/** The stages a selection runs, in order. Throws SelectionError naming what exists. */
export function resolveSelection(c: Challenge, sel: Selection): SelectedStage[] {
  const flag = `${flagName(sel.only)}=${sel.text}`;
  const see = `(see: bun run stages ${c.slug})`;
  const extNames = c.extensions.map((e) => e.slug).join(", ");
  let group = c.stages;
  let what = `the ${c.slug} challenge has base ${range(c.stages)}${extNames ? `; its extensions: ${extNames}` : ""}`;
  if (sel.extension !== undefined) {
    const ext = findExtension(c, sel.extension);
    if (!ext) throw new SelectionError(`${flag}: the ${c.slug} challenge has no extension "${sel.extension}"; ${extNames ? `its extensions: ${extNames}` : "it has no extensions"} ${see}`);
    group = ext.stages;
    what = `the ${ext.slug} extension of ${c.slug} has ${range(ext.stages)}`;
  } else if (sel.stage === undefined) {
    return allStages(c).map((stage) => ({ stage, regression: false }));
  }
  if (sel.stage === undefined && sel.only) return group.map((stage) => ({ stage, regression: false }));
  const n = sel.stage ?? group.length;
  const target = group[n - 1];
  if (!target || n < 1) throw new SelectionError(`${flag}: ${what} ${see}`);
  const regression = sel.only ? [] : prerequisites(c, target);
  return [{ stage: target, regression: false }, ...regression.map((stage) => ({ stage, regression: true }))];
}

/**
 * Against the real implementation (--real), a stage marked real_differs is not
 * run: its .md explains why the real system cannot pass it. The stages to run,
 * and those left out, for the run to say so (never silently).
 */
export function runnableStages(stages: SelectedStage[], real: boolean): { run: SelectedStage[]; notRun: SelectedStage[] } {
  if (!real) return { run: stages, notRun: [] };
  return { run: stages.filter((s) => s.stage.realDiffers === undefined), notRun: stages.filter((s) => s.stage.realDiffers !== undefined) };
}

/** The selection given on the command line or in SYSCRAFT_STAGE / SYSCRAFT_STAGE_ONLY, if any. */
export function currentSelection(): Selection | undefined {
  const o = harnessOptions();
  if (o.stageOnly !== undefined && o.stageOnly !== "") return parseSelection(o.stageOnly, true);
  if (o.stage !== undefined && o.stage !== "") return parseSelection(o.stage, false);
  if (o.stage === "" || o.stageOnly === "") {
    throw new SelectionError("--stage needs a value joined by '=': bun test --stage=redis/3 (with a space, bun reads redis/3 as a file filter).");
  }
  return undefined;
}

let warned = false;

/**
 * A stage selection in a bun test that did not go through the preload:
 * bunfig.toml is read from the current folder only, so `cd stages/redis &&
 * bun test --stage=redis/1` loads the stage files and would run 0 tests and
 * exit 0. Instead, one failing test says what to type.
 */
function notFromTheCheckout(): void {
  if (warned || process.env.SYSCRAFT_INNER || (globalThis as { syscraftPreloaded?: boolean }).syscraftPreloaded) return;
  warned = true;
  const message = `bun test --stage runs from the folder that holds bunfig.toml (not ${process.cwd()}): cd ${ROOT} && bun test ${testArgs(userArgv()).join(" ")}`;
  say(`syscraft: ${message}`);
  const { test } = require("bun:test") as typeof import("bun:test");
  test("bun test --stage runs from the syscraft checkout", () => {
    const e = new Error(message);
    e.stack = message;
    throw e;
  });
}

/**
 * True when no stage selection is active: the full suite (every stage, plus
 * the harness's own tests) runs. Called by each stage file as it loads.
 */
export function fullRun(): boolean {
  let full = false;
  try {
    full = currentSelection() === undefined;
  } catch {
    full = false;
  }
  if (!full) notFromTheCheckout();
  return full;
}

