/**
 * bun run progress [<challenge>] [--impl=<command>]: for each challenge (or
 * the one named), the highest base stage your program has passed (every
 * earlier stage passed too) and what comes next, then the same for each
 * extension. Each stage run records progress in .syscraft/, per challenge and
 * per program (its command with paths made absolute, so ../x.sh and its
 * absolute form are the same program). Runs of the reference solution or the
 * real implementation are never recorded as yours.
 */
import { relative } from "node:path";
import { challengeSlugs, loadChallenge, stageDocFile } from "../challenge/load.ts";
import type { Challenge, StageInfo } from "../challenge/schema.ts";
import { stageName } from "../challenge/stages.ts";
import { absolutize, implOrigin, isLearnerProgram, resolveImpl } from "../impl.ts";
import { ROOT } from "../paths.ts";
import { readStageRecords, type StageRecord } from "../stage/results.ts";
import { challengeArg, parseCommandLine } from "./args.ts";

/** A group's bar (■ passed, ✗ failed, · not run), how many stages passed in a row from the first, and the stage after them. */
function progressOf(stages: StageInfo[], records: StageRecord[]): { bar: string; highest: number; next: StageInfo | undefined } {
  const passed = new Set(records.filter((r) => r.passed).map((r) => r.stage));
  let highest = 0;
  while (highest < stages.length && passed.has(stages[highest]!.id)) highest++;
  const bar = stages.map((s) => (passed.has(s.id) ? "■" : records.some((r) => r.stage === s.id) ? "✗" : "·")).join("");
  return { bar, highest, next: stages[highest] };
}

function nextStep(c: Challenge, next: StageInfo): string {
  return `${stageName(c, next)}, ${next.name} — read ${relative(ROOT, stageDocFile(c, next))}, then: bun test --stage=${stageName(c, next)}`;
}

type Progress = ReturnType<typeof progressOf>;

const { values: flags, positionals } = parseCommandLine("progress", "usage: bun run progress [<challenge>] [--impl=<command>]   (default program: syscraft.local.yaml's)", { impl: { type: "string" } });
if (flags.impl !== undefined) process.env.SYSCRAFT_IMPL = flags.impl;
for (const slug of positionals) challengeArg("progress", slug);
const slugs = positionals.length > 0 ? positionals : challengeSlugs();

let shown = 0;
for (const c of slugs.map(loadChallenge)) {
  let impl;
  try {
    impl = resolveImpl(c);
  } catch (e) {
    console.error(`progress: ${(e as Error).message}`);
    process.exit(2);
  }
  if (!isLearnerProgram(impl)) {
    console.log(`${c.slug.padEnd(10)} no program of yours yet (${implOrigin(impl)}): bun run init ${c.slug} <dir>, or bun run progress ${c.slug} --impl=<command>`);
    continue;
  }
  shown++;
  const records = readStageRecords(absolutize(impl.command, impl.base)).filter((r) => r.challenge === c.slug);
  // Columns: the challenge (or "  <extension>"), its bar, how many stages passed in a row.
  const labelWidth = Math.max(10, ...c.extensions.map((e) => e.slug.length + 2));
  const barWidth = Math.max(c.stages.length, ...c.extensions.map((e) => e.stages.length));
  const row = (label: string, p: Progress, count: number, tail: string) => `${label.padEnd(labelWidth)} ${p.bar.padEnd(barWidth)}  ${`${p.highest}/${count}`.padEnd(5)}  ${tail}`;
  const base = progressOf(c.stages, records);
  console.log(row(c.slug, base, c.stages.length, `impl: ${impl.command} (${implOrigin(impl)})`));
  console.log(`${" ".repeat(labelWidth + 1)}${base.next ? `next: ${nextStep(c, base.next)}` : "every base stage passed"}`);
  for (const e of c.extensions) {
    const p = progressOf(e.stages, records);
    console.log(row(`  ${e.slug}`, p, e.stages.length, p.next ? `next: ${nextStep(c, p.next)}` : "every stage passed"));
  }
}
if (shown > 0) console.log("\n■ passed   ✗ failed on its last run   · not run yet");
