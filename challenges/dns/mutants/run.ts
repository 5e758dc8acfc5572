/**
 * Runs the hand-written DNS mutants in this folder against the stage each
 * names, and prints which were caught (the stage failed) and which survived.
 * Each mutant is the reference with one mistake, written from a reading of
 * the stage's .md independent of the tests; its first line names the stage
 * (`// stage: 4` or `// resolver stage: 2`), its second the reading.
 *
 *   bun challenges/dns/mutants/run.ts [name-filter]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";

const here = import.meta.dir;
const root = join(here, "..", "..", "..");
const { positionals } = parseArgs({ args: Bun.argv.slice(2), allowPositionals: true, strict: true });
const filter = positionals[0] ?? "";

interface Outcome {
  mutant: string;
  stage: string;
  caught: boolean;
  reading: string;
}

/** The stage a mutant names on its first line, as --stage-only takes it. */
function stageOf(text: string, file: string): string {
  const m = /^\/\/ (resolver )?stage: (\d+)/.exec(text);
  if (!m) throw new Error(`${file}: the first line must be "// stage: N" or "// resolver stage: N"`);
  return m[1] ? `dns/resolver/${m[2]}` : `dns/${m[2]}`;
}

const outcomes: Outcome[] = [];
for (const name of readdirSync(here).filter((f) => f.endsWith(".ts") && f !== "run.ts" && f.includes(filter)).sort()) {
  const file = join(here, name);
  const text = readFileSync(file, "utf8");
  const stage = stageOf(text, name);
  const reading = /^\/\/ Reading: (.*)$/m.exec(text)?.[1] ?? "";
  const run = Bun.spawnSync(["bun", "test", `--stage-only=${stage}`, `--impl=bun ${relative(root, file)}`], { cwd: root, stdout: "pipe", stderr: "pipe", timeout: 180_000 });
  const outcome = { mutant: name.replace(/\.ts$/, ""), stage, caught: run.exitCode !== 0, reading };
  outcomes.push(outcome);
  console.log(`${outcome.caught ? "caught  " : "SURVIVED"} ${stage.padEnd(16)} ${outcome.mutant}`);
}
const caught = outcomes.filter((o) => o.caught).length;
console.log(`\n${caught} of ${outcomes.length} mutants caught (${outcomes.length === 0 ? 0 : Math.round((100 * caught) / outcomes.length)}%)`);
for (const o of outcomes.filter((x) => !x.caught)) console.log(`survived: ${o.mutant} (${o.stage}): ${o.reading}`);
process.exit(caught === outcomes.length ? 0 : 1);
