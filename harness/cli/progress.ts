/**
 * bun run progress [--impl=<command>]: for each challenge, the highest stage
 * your implementation has passed (every earlier stage passed too) and what
 * comes next. Progress is recorded by each test run in .syscraft/.
 */
import { relative } from "node:path";
import { loadAllChallenges, stageDocFile } from "../challenge/load.ts";
import { resolveImpl } from "../impl.ts";
import { ROOT } from "../paths.ts";
import { readStageRecords } from "../stage/results.ts";

for (const c of loadAllChallenges()) {
  const impl = resolveImpl(c);
  const records = readStageRecords(impl.command).filter((r) => r.challenge === c.slug);
  const passed = new Set(records.filter((r) => r.passed).map((r) => r.stage));
  let highest = 0;
  while (passed.has(highest + 1)) highest++;
  const bar = c.stages.map((s) => (passed.has(s.number) ? "■" : records.some((r) => r.stage === s.number) ? "✗" : "·")).join("");
  console.log(`${c.slug.padEnd(10)} ${bar}  ${highest}/${c.stages.length}   impl: ${impl.command} (${impl.source})`);
  const next = c.stages[highest];
  if (next) {
    console.log(`           next: stage ${next.number}, ${next.name} — read ${relative(ROOT, stageDocFile(c, next))}, then: bun test --stage=${c.slug}/${next.number}`);
  } else {
    console.log("           every stage passed");
  }
}
console.log("\n■ passed   ✗ failed on its last run   · not run yet");
