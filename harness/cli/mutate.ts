/**
 * bun run mutate <challenge> [--sample=N] [--seed=S] [--stage=<selection>] [--files=<text>] [--list] [--json=<file>]
 *
 * Measures how many broken programs the stages catch, by machine rather than
 * by our own imagination: makes mutants of the challenge's reference solution
 * (one small mistake each: a comparison turned around, a boundary moved by
 * one, a condition negated, a call left out — see harness/mutate/sites.ts),
 * runs the stages against each one as `--impl`, and reports how many fail
 * (killed) and which pass (survivors: either a promise no case checks, or an
 * equivalent mutant — read each one).
 *
 * Mutants are drawn from every mutation site of solutions/<challenge>/ with a
 * seeded shuffle, so `--seed` and `--sample` reproduce the same set.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { challengeSlugs, loadChallenge } from "../challenge/load.ts";
import { applySite, findSites, lineOf, type Site } from "../mutate/sites.ts";
import { ROOT, SOLUTIONS_DIR } from "../paths.ts";
import { Random } from "../random.ts";
import { runStagesInSubprocess } from "../stage/subprocess.ts";

const USAGE = `usage: bun run mutate <challenge> [--sample=N] [--seed=S] [--stage=<selection>] [--files=<text>] [--list] [--json=<file>]

  <challenge>          whose reference solution to mutate (${challengeSlugs().join(", ")})
  --sample=N           how many mutants to run (default 20)
  --seed=S             which mutants (a seeded shuffle of every site; default 1) and the stages' seed
  --stage=<selection>  the stages to run against each mutant (default: the whole challenge), e.g. dns/7
  --files=<text>       only mutate files whose path contains <text>
  --list               print the number of sites per file and stop
  --json=<file>        write every mutant and its outcome
Exit code: 0 when it ran (whatever the score), 2 on bad arguments.`;

function fail(message: string): never {
  console.error(`mutate: ${message}`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    strict: true,
    options: {
      sample: { type: "string" },
      seed: { type: "string" },
      stage: { type: "string" },
      files: { type: "string" },
      list: { type: "boolean" },
      json: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
} catch (e) {
  fail(`${(e as Error).message}\n${USAGE}`);
}
const { values, positionals } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (positionals.length !== 1) fail(`name one challenge\n${USAGE}`);
const slug = positionals[0]!;
if (!challengeSlugs().includes(slug)) fail(`no challenge "${slug}" (there are: ${challengeSlugs().join(", ")})`);
const sample = Number(values.sample ?? "20");
if (!Number.isInteger(sample) || sample < 1) fail(`--sample must be a positive integer, not "${values.sample}"`);
const seed = values.seed ?? "1";
const challenge = loadChallenge(slug);
const selection = `--stage=${values.stage ?? slug}`;

const solution = join(SOLUTIONS_DIR, slug);
const reference = challenge.program.reference;
if (!reference.includes(`solutions/${slug}/`)) fail(`${challenge.file}: program.reference (${reference}) does not run a file under solutions/${slug}/`);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" ? [] : sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}

interface Mutant extends Site {
  file: string;
  line: number;
  /** The mutated line, for the report. */
  after: string;
  before: string;
}

const files = sourceFiles(solution).filter((f) => values.files === undefined || relative(ROOT, f).includes(values.files));
const all: Mutant[] = [];
const transpiler = new Bun.Transpiler({ loader: "ts" });
const perFile: Record<string, number> = {};
for (const file of files) {
  const src = readFileSync(file, "utf8");
  for (const site of findSites(src)) {
    const mutated = applySite(src, site);
    try {
      transpiler.transformSync(mutated);
    } catch {
      continue; // not valid TypeScript: not a program a learner could run
    }
    const line = lineOf(src, site.at);
    const lineText = (s: string) => s.split("\n")[line - 1]!.trim();
    all.push({ ...site, file, line, before: lineText(src), after: lineText(mutated) });
    perFile[relative(ROOT, file)] = (perFile[relative(ROOT, file)] ?? 0) + 1;
  }
}
if (values.list) {
  for (const [f, n] of Object.entries(perFile).sort()) console.log(`${String(n).padStart(6)}  ${f}`);
  console.log(`${String(all.length).padStart(6)}  mutation sites in ${files.length} files`);
  process.exit(0);
}
if (all.length === 0) fail(`no mutation sites in ${relative(ROOT, solution)}${values.files ? ` matching "${values.files}"` : ""}`);

const chosen = new Random(seed, `mutate/${slug}`).shuffle(all).slice(0, sample);
const workRoot = join(ROOT, ".mutants");
const work = join(workRoot, String(process.pid));
const cleanup = () => rmSync(work, { recursive: true, force: true });
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

type Outcome = "killed" | "survived" | "no cases ran";
const outcomes: (Mutant & { outcome: Outcome; by?: string; seconds: number })[] = [];
console.log(`mutate ${slug}: ${chosen.length} of ${all.length} mutants (seed ${seed}), each run through bun test ${selection}`);
try {
  for (const [i, m] of chosen.entries()) {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const copy = join(work, slug);
    cpSync(solution, copy, { recursive: true });
    const target = join(copy, relative(solution, m.file));
    writeFileSync(target, applySite(readFileSync(m.file, "utf8"), m));
    const impl = reference.replace(`solutions/${slug}/`, `${copy}/`);
    const started = performance.now();
    const run = await runStagesInSubprocess({ selection, flags: [`--impl=${impl}`, `--seed=${seed}`, "--bail=1"], stdio: "capture", direct: true });
    const seconds = (performance.now() - started) / 1000;
    const failed = run.results.find((r) => !r.ok);
    const outcome: Outcome = failed || run.exitCode !== 0 ? "killed" : run.results.length === 0 ? "no cases ran" : "survived";
    const by = failed ? `${failed.stage}: ${failed.case}` : undefined;
    outcomes.push({ ...m, outcome, by, seconds });
    const where = `${relative(ROOT, m.file)}:${m.line}`;
    console.log(`${String(i + 1).padStart(3)}/${chosen.length} ${outcome.padEnd(8)} ${seconds.toFixed(1).padStart(5)} s  ${where}  ${m.operator}${by ? `  (by ${by})` : ""}`);
  }
} finally {
  cleanup();
  if (existsSync(workRoot) && readdirSync(workRoot).length === 0) rmSync(workRoot, { recursive: true, force: true });
}

const killed = outcomes.filter((o) => o.outcome === "killed").length;
const survivors = outcomes.filter((o) => o.outcome === "survived");
const ranNothing = outcomes.filter((o) => o.outcome === "no cases ran").length;
console.log(`\n${slug}: ${killed} of ${killed + survivors.length} mutants killed (${Math.round((100 * killed) / Math.max(1, killed + survivors.length))}%), seed ${seed}, ${selection}${ranNothing ? `; ${ranNothing} runs ran no case` : ""}`);
if (survivors.length > 0) {
  console.log("Survivors (a promise no case checks, or a mutant that changes nothing observable — read each):");
  for (const s of survivors) console.log(`  ${relative(ROOT, s.file)}:${s.line}  ${s.operator}\n    - ${s.before}\n    + ${s.after}`);
}
if (values.json) {
  writeFileSync(values.json, JSON.stringify({ challenge: slug, seed, selection, sites: all.length, killed, survived: survivors.length, mutants: outcomes.map((o) => ({ ...o, file: relative(ROOT, o.file) })) }, null, 2));
}
process.exit(0);
