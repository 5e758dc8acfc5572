/**
 * bun run fixture-cases <challenge>… [--all] [--check] [--seed=<n>]: keeps
 * harness/fixtures/<challenge>/catching-cases.json (see
 * harness/fixtures/catching-cases.ts) true to the fixtures and the stages.
 *
 * It first compares the file with what is there, without running anything:
 * fixtures listed in expectations.ts without an entry, entries naming a case
 * their stage does not have (renamed), entries for fixtures no longer listed.
 * Then it runs the fixture checks of those that need it (`bun test
 * harness/fixtures/<challenge>/ -t …`, as the suite runs them: the case on
 * file first, the stage when that case does not catch the fixture) and
 * writes, for each fixture the run caught, the case that caught it; entries
 * of unlisted fixtures are dropped. `--all` runs every fixture check of the
 * challenge; `--check` only reports, and exits 1 when the file needs a refresh.
 * A fixture check that fails is shown and makes the exit code 1.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { challengeSlugs, loadChallenge, stageTestFile } from "../challenge/load.ts";
import { allStages } from "../challenge/stages.ts";
import { ROOT } from "../paths.ts";
import { makeTempDir, removeTempDir } from "../process/tempdir.ts";
import { type CatchingCases, catchingCasesFile, readCatchingCases, writeCatchingCases } from "../fixtures/catching-cases.ts";
import type { Expectation } from "../fixtures/expectation.ts";
import type { StageDefinition } from "../stage/types.ts";
import { challengeArg, parseCommandLine, usageError } from "./args.ts";

const USAGE = "usage: bun run fixture-cases <challenge>… [--all] [--check] [--seed=<n>]   (e.g. bun run fixture-cases dns git; bun run fixture-cases --check all)";
const { values: flags, positionals } = parseCommandLine("fixture-cases", USAGE, { seed: { type: "string" }, all: { type: "boolean" }, check: { type: "boolean" } });
if (positionals.length === 0) usageError("fixture-cases", "name at least one challenge (or all)");
const slugs = positionals.length === 1 && positionals[0] === "all" ? challengeSlugs() : positionals;
for (const slug of slugs) challengeArg("fixture-cases", slug);

/** The expectations a challenge's fixtures folder lists. */
async function listed(slug: string): Promise<Expectation[]> {
  const dir = join(ROOT, "harness/fixtures", slug);
  const files = [join(dir, "expectations.ts"), ...readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(dir, d.name, "expectations.ts"))];
  const out: Expectation[] = [];
  for (const f of files.filter((f) => existsSync(f))) out.push(...((await import(f)) as { expectations: Expectation[] }).expectations);
  return out;
}

/**
 * The names of a stage's cases, from its test file. A stage file registers
 * its cases only in a full `bun test` run; this process is none (a selection
 * in the environment, as in an inner run, keeps it from trying).
 */
async function caseNames(slug: string, stageId: string): Promise<Set<string> | undefined> {
  const challenge = loadChallenge(slug);
  const stage = allStages(challenge).find((s) => s.id === stageId);
  if (!stage || !existsSync(stageTestFile(challenge, stage))) return undefined;
  const saved = { inner: process.env.SYSCRAFT_INNER, only: process.env.SYSCRAFT_STAGE_ONLY };
  process.env.SYSCRAFT_INNER = "1";
  process.env.SYSCRAFT_STAGE_ONLY = `${slug}/${stageId}`;
  try {
    const def = ((await import(stageTestFile(challenge, stage))) as { default: StageDefinition }).default;
    return new Set(def.cases.map((c) => c.name));
  } finally {
    for (const [k, v] of [["SYSCRAFT_INNER", saved.inner], ["SYSCRAFT_STAGE_ONLY", saved.only]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

let failed = false;
for (const slug of slugs) {
  const expectations = await listed(slug);
  const onFile = readCatchingCases(slug);
  const names = new Map<string, Set<string> | undefined>();
  for (const stage of new Set(expectations.map((e) => e.stage))) names.set(stage, await caseNames(slug, stage));
  const isListed = new Set(expectations.map((e) => `${e.stage} ${e.fixture}`));
  const missing = expectations.filter((e) => onFile[e.stage]?.[e.fixture] === undefined);
  const stale = expectations.filter((e) => {
    const c = onFile[e.stage]?.[e.fixture];
    return c !== undefined && !names.get(e.stage)?.has(c);
  });
  const orphans = Object.entries(onFile).flatMap(([stage, fx]) => Object.keys(fx).filter((f) => !isListed.has(`${stage} ${f}`)).map((f) => `${f} (${slug}/${stage})`));
  const state = `${expectations.length} fixtures listed: ${missing.length} without an entry, ${stale.length} naming a case their stage does not have${stale.length > 0 ? ` (${stale.map((e) => `${e.fixture}: "${onFile[e.stage]![e.fixture]}"`).join("; ")})` : ""}, ${orphans.length} entries for fixtures no longer listed${orphans.length > 0 ? ` (${orphans.join(", ")})` : ""}`;
  console.log(`fixture-cases: ${catchingCasesFile(slug)}: ${state}`);
  const toRun = flags.all ? expectations : [...missing, ...stale];
  if (flags.check) {
    if (missing.length + stale.length + orphans.length > 0) failed = true;
    continue;
  }

  const kept: CatchingCases = {};
  const rerun = new Set(toRun.map((e) => `${e.stage} ${e.fixture}`));
  for (const e of expectations) {
    const c = onFile[e.stage]?.[e.fixture];
    if (c !== undefined && !rerun.has(`${e.stage} ${e.fixture}`)) (kept[e.stage] ??= {})[e.fixture] = c;
  }
  let learned = 0;
  if (toRun.length > 0) {
    const work = makeTempDir("fixture-cases");
    const file = join(work, "cases.jsonl");
    try {
      // The fixture checks' test names: "… <slug>/<fixture> fails <slug>/<stage>".
      const pattern = flags.all ? [] : ["-t", `(${toRun.map((e) => escape(`${slug}/${e.fixture} fails ${slug}/${e.stage}`)).join("|")})$`];
      const env: Record<string, string | undefined> = { ...process.env, SYSCRAFT_LEARN_CASES: file };
      const proc = Bun.spawn(["bun", "test", `harness/fixtures/${slug}/`, ...pattern, ...(flags.seed ? [`--seed=${flags.seed}`] : [])], { cwd: ROOT, stdout: "inherit", stderr: "inherit", env });
      const code = await proc.exited;
      if (code !== 0) failed = true;
      const text = existsSync(file) ? readFileSync(file, "utf8") : "";
      for (const line of text.split("\n").filter((l) => l !== "")) {
        const { stage, fixture, case: name } = JSON.parse(line) as { stage: string; fixture: string; case: string };
        (kept[stage] ??= {})[fixture] = name;
        learned++;
      }
    } finally {
      removeTempDir(work);
    }
  }
  writeCatchingCases(slug, kept);
  console.log(`fixture-cases: ${catchingCasesFile(slug)}: ${toRun.length} fixture checks run, ${learned} cases recorded${learned < toRun.length ? ` (${toRun.length - learned} fixtures not caught: no entry)` : ""}; ${orphans.length} entries dropped`);
}
process.exit(failed ? 1 : 0);
