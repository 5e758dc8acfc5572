import { describe } from "bun:test";
import { fullRun } from "./stage/selection.ts";

/**
 * The harness's own tests: they run in a full `bun test`, and not when a
 * learner selects stages with --stage (they test syscraft, not the learner).
 */
export function selfTests(name: string, fn: () => void): void {
  if (fullRun()) describe(name, fn);
}
