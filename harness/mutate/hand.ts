/**
 * Hand-written mutants of a challenge's reference solution, for the mutation
 * score in a challenge's README ("Promises and checks"): each is one
 * plausible mistake, written from a reading of a stage's .md other than the
 * one its cases were written from — a copy of solutions/<slug> with one piece
 * of source text replaced, run against the stage whose .md makes the promise
 * exactly as a learner's program is (`bun test --stage-only=<slug>/<stage>
 * --impl=…`). A mutant that passes its stage survived: a promise no case
 * checks, or an equivalent mutant (its note says which).
 *
 * A challenge lists its mutants in challenges/<slug>/mutants.ts and calls
 * `handMutantsMain` (which parses --only, --batch and --seed).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SOLUTIONS_DIR } from "../paths.ts";
import { runStagesInSubprocess } from "../stage/subprocess.ts";

export interface HandMutant {
  id: string;
  /** 1: written first, its survivors then closed; later batches are each measured once, then what they found is fixed. */
  batch: number;
  /** The stage whose .md makes the promise, e.g. "4" or "lists/2". */
  stage: string;
  /** The reading of the .md this mistake comes from. */
  reading: string;
  /** A file under solutions/<slug>/, and the text replaced in it (which must occur exactly once). */
  file: string;
  find: string;
  replace: string;
  /** Why a survivor is equivalent or not worth a case, when it is. */
  note?: string;
}

/** Runs each mutant against its stage; prints one line per mutant and the score. */
export async function runHandMutants(slug: string, entry: string, mutants: HandMutant[], seed: string): Promise<{ killed: number; ran: number; survivors: string[] }> {
  const source = join(SOLUTIONS_DIR, slug);
  let killed = 0;
  const survivors: string[] = [];
  const stale: string[] = [];
  for (const m of mutants) {
    const dir = mkdtempSync(join(tmpdir(), `syscraft-${slug}-mutant-${m.id}-`));
    try {
      cpSync(source, dir, { recursive: true });
      const file = join(dir, m.file);
      const text = readFileSync(file, "utf8");
      if (text.split(m.find).length !== 2) {
        stale.push(m.id);
        console.log(`stale     ${m.id}: its source text is not in solutions/${slug}/${m.file} exactly once`);
        continue;
      }
      writeFileSync(file, text.replace(m.find, () => m.replace));
      const outcome = await runStagesInSubprocess({ selection: `--stage-only=${slug}/${m.stage}`, flags: [`--impl=bun ${join(dir, entry)}`, `--seed=${seed}`], stdio: "capture" });
      const failed = outcome.results.filter((r) => !r.ok);
      if (outcome.exitCode !== 0 && failed.length > 0) {
        killed++;
        console.log(`killed    ${m.id} (${slug}/${m.stage}: ${failed[0]!.case})`);
      } else {
        survivors.push(m.id);
        console.log(`SURVIVED  ${m.id} (${slug}/${m.stage}; reading: ${m.reading}${m.note ? `; ${m.note}` : ""})`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const ran = mutants.length - stale.length;
  console.log(`\n${killed} of ${ran} mutants killed${survivors.length ? `; survived: ${survivors.join(", ")}` : ""}${stale.length ? `; stale: ${stale.join(", ")}` : ""}`);
  return { killed, ran, survivors };
}

/** The command line of challenges/<slug>/mutants.ts: [--only=<id>] [--batch=<n>] [--seed=<n>]; exit code 2 on bad arguments. */
export async function handMutantsMain(slug: string, entry: string, mutants: HandMutant[], argv: string[]): Promise<void> {
  const usage = `usage: bun challenges/${slug}/mutants.ts [--only=<id>] [--batch=<n>] [--seed=<n>]`;
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: { only: { type: "string" }, batch: { type: "string" }, seed: { type: "string" } } }));
  } catch (e) {
    console.error(`mutants: ${(e as Error).message}\n${usage}`);
    process.exit(2);
  }
  const chosen = mutants.filter((m) => (!values.only || m.id === values.only) && (!values.batch || String(m.batch) === values.batch));
  if (chosen.length === 0) {
    console.error(`mutants: no mutant ${values.only ?? `in batch ${values.batch}`}\n${usage}`);
    process.exit(2);
  }
  await runHandMutants(slug, entry, chosen, values.seed ?? "1");
}
