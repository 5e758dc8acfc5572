import { harnessOptions } from "../cmdline.ts";

/** Which stages a run is limited to: `--stage=redis/3` (1..3) or `--stage-only=redis/3` (3 alone). */
export interface Selection {
  challenge: string;
  stage: number;
  only: boolean;
  /** As typed, for messages. */
  text: string;
}

export class SelectionError extends Error {}

export function parseSelection(text: string, only: boolean): Selection {
  const m = /^([a-z0-9-]+)\/(\d+)$/.exec(text.trim());
  if (!m) {
    const flag = only ? "--stage-only" : "--stage";
    throw new SelectionError(`${flag}=${text}: expected <challenge>/<stage number>, e.g. ${flag}=redis/3`);
  }
  return { challenge: m[1]!, stage: Number(m[2]), only, text };
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

/** True when no stage selection is active: the full suite (every stage, plus the harness's own tests) runs. */
export function fullRun(): boolean {
  try {
    return currentSelection() === undefined;
  } catch {
    return false;
  }
}
