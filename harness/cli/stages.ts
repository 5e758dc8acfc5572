/** bun run stages [<challenge>]: lists challenges and their stages. */
import { relative } from "node:path";
import { loadAllChallenges, loadChallenge, stageDocFile } from "../challenge/load.ts";
import { ROOT } from "../paths.ts";

const slug = process.argv[2];
const challenges = slug ? [loadChallenge(slug)] : loadAllChallenges();
for (const c of challenges) {
  console.log(`${c.slug} — ${c.name}: ${c.summary}`);
  for (const s of c.stages) {
    console.log(`  ${String(s.number).padStart(2)}. ${s.name.padEnd(38)} ${s.difficulty.padEnd(10)} ${relative(ROOT, stageDocFile(c, s))}`);
  }
  console.log();
}
