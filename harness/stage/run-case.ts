import { stageName } from "../challenge/stages.ts";
import { harnessOptions } from "../cmdline.ts";
import type { Impl } from "../impl.ts";
import { Random, seed } from "../random.ts";
import { formatFailure, StageFailure } from "../report/failure.ts";
import { shellQuote } from "../report/show.ts";
import { memoryFailure } from "../process/memory-failure.ts";
import { CASE_ENDED } from "./case-ended.ts";
import { CaseContext } from "./context.ts";
import type { CaseResult, StageCase, StageDefinition } from "./types.ts";

export const DEFAULT_CASE_TIMEOUT_S = 10;

export function caseTimeoutMs(def: StageDefinition, c: StageCase): number {
  return 1000 * (c.timeout ?? def.stage.timeout ?? DEFAULT_CASE_TIMEOUT_S);
}

/** The command that replays one stage with this seed (and the same implementation). */
export function rerunCommand(def: StageDefinition, runSeed: string, impl: Impl): string {
  const parts = ["bun test", `--stage-only=${stageName(def.challenge, def.stage)}`, `--seed=${runSeed}`];
  if (impl.source === "flag or SYSCRAFT_IMPL") parts.push(`--impl=${shellQuote(impl.command)}`);
  if (impl.source === "real implementation") parts.push("--real");
  return parts.join(" ");
}

/**
 * Runs one case against the implementation, bounded by its time limit, and
 * always cleans up: every process group it started is stopped (SIGTERM, then
 * SIGKILL after 2 s), ports released, temp dirs removed.
 */
export async function runCase(def: StageDefinition, c: StageCase, impl: Impl): Promise<CaseResult> {
  const runSeed = seed();
  const started = performance.now();
  const ctx = new CaseContext(def.challenge, def.stage, c.name, impl, new Random(runSeed, `${stageName(def.challenge, def.stage)}/${c.name}`), harnessOptions().verbose);
  const limitMs = caseTimeoutMs(def, c);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // The case is over: waits still pending in it must not reject into the next case.
      ctx.abort(CASE_ENDED);
      reject(
        new StageFailure({
          message: `This case did not finish within ${limitMs / 1000} s.`,
          hint: "The last step in the transcript is the one still waiting: your program probably never answered it, or its answer was incomplete (for example a reply without its final \\r\\n, or a message shorter than its length prefix).",
        }),
      );
    }, limitMs);
  });
  let error: unknown;
  try {
    await Promise.race([c.run(ctx), timeout]);
  } catch (e) {
    error = e;
  } finally {
    clearTimeout(timer);
  }
  // A program killed for its memory use fails whatever step noticed it: say why.
  const overMemory = ctx.overMemory();
  if (overMemory) error = memoryFailure(overMemory.process);
  const exited = error === undefined ? undefined : await ctx.exited();
  if (error !== undefined) await ctx.failed(error);
  const programOutput = ctx.programOutput();
  await ctx.cleanup();
  const ok = error === undefined;
  return {
    challenge: def.challenge.slug,
    stage: def.stage.id,
    stageSlug: def.stage.slug,
    case: c.name,
    caseIndex: def.cases.indexOf(c) + 1,
    caseCount: def.cases.length,
    ok,
    message: ok
      ? ""
      : formatFailure({
          title: `${stageName(def.challenge, def.stage)} ${def.stage.name} — ${c.name}`,
          error,
          transcript: ctx.log.empty ? undefined : ctx.log.tail(),
          programOutput,
          exited: exited && `Your program exited with code ${exited.process.exitCode} during this case (${((performance.now() - started) / 1000).toFixed(1)} s in), before the failure below:`,
          seed: runSeed,
          rerun: rerunCommand(def, runSeed, impl),
        }),
    durationMs: Math.round(performance.now() - started),
    seed: runSeed,
    impl: impl.command,
  };
}
