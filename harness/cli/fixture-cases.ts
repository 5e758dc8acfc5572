/**
 * bun run fixture-cases <challenge>… [--seed=<n>]: runs those challenges'
 * fixture checks (`bun test harness/fixtures/<challenge>/`, as the suite does:
 * the case already on file first, the stage when it does not catch the
 * fixture or names no case the stage has) and writes, for each fixture the
 * checks caught, the case that caught it to
 * harness/fixtures/<challenge>/catching-cases.json (see
 * harness/fixtures/catching-cases.ts): entries for new fixtures are added,
 * stale ones replaced, those of fixtures no longer listed or not caught
 * dropped. The run's own failures are shown and make the exit code 1.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../paths.ts";
import { makeTempDir, removeTempDir } from "../process/tempdir.ts";
import { type CatchingCases, catchingCasesFile, writeCatchingCases } from "../fixtures/catching-cases.ts";
import { challengeArg, parseCommandLine, usageError } from "./args.ts";

const USAGE = "usage: bun run fixture-cases <challenge>… [--seed=<n>]   (e.g. bun run fixture-cases dns git)";
const { values: flags, positionals } = parseCommandLine("fixture-cases", USAGE, { seed: { type: "string" } });
if (positionals.length === 0) usageError("fixture-cases", "name at least one challenge");
for (const slug of positionals) challengeArg("fixture-cases", slug);

let failed = false;
for (const slug of positionals) {
  const work = makeTempDir("fixture-cases");
  const learned = join(work, "cases.jsonl");
  try {
    const proc = Bun.spawn(["bun", "test", `harness/fixtures/${slug}/`, ...(flags.seed ? [`--seed=${flags.seed}`] : [])], {
      cwd: ROOT,
      stdout: "inherit",
      stderr: "inherit",
      env: { ...process.env, SYSCRAFT_LEARN_CASES: learned },
    });
    const code = await proc.exited;
    if (code !== 0) failed = true;
    const cases: CatchingCases = {};
    let text = "";
    try {
      text = readFileSync(learned, "utf8");
    } catch {}
    let n = 0;
    for (const line of text.split("\n").filter((l) => l !== "")) {
      const { stage, fixture, case: name } = JSON.parse(line) as { stage: string; fixture: string; case: string };
      (cases[stage] ??= {})[fixture] = name;
      n++;
    }
    writeCatchingCases(slug, cases);
    console.log(`fixture-cases: ${slug}: ${n} fixtures, each with the case that caught it, in ${catchingCasesFile(slug)}${code === 0 ? "" : ` (the fixture checks failed: exit ${code}; fixtures not caught have no entry)`}`);
  } finally {
    removeTempDir(work);
  }
}
process.exit(failed ? 1 : 0);
