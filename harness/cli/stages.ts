/** bun run stages [<challenge>]: lists challenges, their base stages, then each extension and its stages, with how to run each. */
import { relative } from "node:path";
import { loadAllChallenges, stageDocFile } from "../challenge/load.ts";
import type { Challenge, StageInfo } from "../challenge/schema.ts";
import { stageName } from "../challenge/stages.ts";
import { ROOT } from "../paths.ts";
import { challengeArg, parseCommandLine, usageError } from "./args.ts";

function printStages(c: Challenge, stages: StageInfo[]): void {
  for (const s of stages) {
    console.log(`  ${String(s.number).padStart(2)}. ${s.name.padEnd(38)} ${s.difficulty.padEnd(10)} --stage=${stageName(c, s).padEnd(22)} ${relative(ROOT, stageDocFile(c, s))}`);
  }
}

const { positionals } = parseCommandLine("stages", "usage: bun run stages [<challenge>]   lists the challenges (or one), their stages and extensions, with the --stage= that runs each", {});
if (positionals.length > 1) usageError("stages", `one challenge at most (got ${positionals.join(" ")})`);
const slug = positionals[0];
const challenges = slug ? [challengeArg("stages", slug)] : loadAllChallenges();
for (const c of challenges) {
  console.log(`${c.slug} — ${c.name}: ${c.summary}`);
  printStages(c, c.stages);
  for (const e of c.extensions) {
    const requires = e.requires.length > 0 ? ` (requires ${e.requires.join(", ")})` : "";
    console.log(`\n  extension ${c.slug}/${e.slug} — ${e.name}${requires}: ${e.summary}`);
    printStages(c, e.stages);
  }
  console.log();
}
if (challenges.some((c) => c.extensions.length > 0)) {
  console.log("bun test --stage=<challenge>/<extension>/<n> runs that stage, then every base stage, the extensions it requires and its earlier stages.");
}
