/**
 * How often the reference agrees with sqlite3 on SQLite's own sqllogictest
 * corpus (https://www.sqlite.org/sqllogictest/doc/trunk/about.wiki). Not a
 * stage: a measure of coverage, kept out of the tests.
 *
 *   bun challenges/sql/slt/agreement.ts --corpus=<sqllogictest>/test [--records=250] [--impl="bun solutions/sql/main.ts"] [--verbose] [--file=<path under test/> …]
 *
 * The corpus is not in this repository: pass the `test/` folder of a copy of
 * SQLite's sqllogictest (for example a GitHub mirror of it). For each file
 * below (or each --file given instead), the first N records (statement or query; `skipif sqlite` and
 * `onlyif <other>` records left out, `hash-threshold` and comments ignored)
 * run one by one, each through sqlite3 on one fresh database and through
 * the program on another. A record agrees when both succeed or both fail
 * and, for a query, both print the same values (as sqllogictest prints them
 * for the record's types, sorted as its sort mode says). The expected
 * values in the files are not read: sqlite3 is the judge.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { resultValues, type SortMode } from "../clients/sqllogictest.ts";

export const FILES = [
  "select1.test",
  "select2.test",
  "random/aggregates/slt_good_0.test",
  "random/expr/slt_good_0.test",
  "random/groupby/slt_good_0.test",
  "random/select/slt_good_0.test",
  "index/between/1/slt_good_0.test",
  "index/delete/1/slt_good_0.test",
  "index/orderby/10/slt_good_0.test",
];

export interface CorpusRecord {
  kind: "statement" | "query";
  sql: string;
  types: string;
  sort: SortMode;
  line: number;
}

/** The records of a corpus file that sqlite runs, in order. */
export function corpusRecords(text: string): CorpusRecord[] {
  const lines = text.split(/\r?\n/);
  const out: CorpusRecord[] = [];
  let skip = false;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!.trim();
    const at = ++i;
    if (line === "" || line.startsWith("#")) continue;
    const w = line.split(/\s+/);
    if (w[0] === "hash-threshold") continue;
    if (w[0] === "halt") {
      // `onlyif <other>` before a halt stops other engines only.
      if (!skip) break;
      skip = false;
      continue;
    }
    if (w[0] === "skipif") {
      if (w[1] === "sqlite") skip = true;
      continue;
    }
    if (w[0] === "onlyif") {
      if (w[1] !== "sqlite") skip = true;
      continue;
    }
    const sql: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== "" && lines[i] !== "----") sql.push(lines[i++]!);
    if (lines[i] === "----") {
      i++;
      while (i < lines.length && lines[i]!.trim() !== "") i++;
    }
    if (!skip && (w[0] === "statement" || w[0] === "query")) {
      const sort = (["nosort", "rowsort", "valuesort"].includes(w[2] ?? "") ? w[2] : "nosort") as SortMode;
      out.push({ kind: w[0], sql: sql.join("\n"), types: w[0] === "query" ? w[1]! : "", sort, line: at });
    }
    skip = false;
  }
  return out;
}

interface Run {
  ok: boolean;
  stdout: string;
  stderr: string;
}

function run(argv: string[], cwd: string): Run {
  const r = Bun.spawnSync(argv, { cwd, stdout: "pipe", stderr: "pipe", timeout: 20000 });
  return { ok: r.exitCode === 0, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function same(r: CorpusRecord, a: Run, b: Run): boolean {
  if (a.ok !== b.ok) return false;
  if (r.kind === "statement" || !a.ok) return true;
  const x = resultValues(a.stdout, r.types, r.sort);
  const y = resultValues(b.stdout, r.types, r.sort);
  return x !== undefined && y !== undefined && x.join("\n") === y.join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    strict: true,
    options: {
      corpus: { type: "string" },
      records: { type: "string", default: "250" },
      impl: { type: "string", default: `bun ${join(import.meta.dir, "../../../solutions/sql/main.ts")}` },
      verbose: { type: "boolean", default: false },
      file: { type: "string", multiple: true },
    },
  });
  if (!values.corpus) {
    process.stderr.write("usage: bun challenges/sql/slt/agreement.ts --corpus=<sqllogictest>/test [--records=250] [--impl=<command>] [--verbose] [--file=<path under test/> …]\n");
    process.exit(2);
  }
  const limit = Number(values.records);
  const impl = values.impl!.split(/\s+/);
  let agreeAll = 0;
  let totalAll = 0;
  for (const file of values.file ?? FILES) {
    const records = corpusRecords(readFileSync(join(values.corpus, file), "utf8")).slice(0, limit);
    const dir = mkdtempSync(join(tmpdir(), "slt-agreement-"));
    let agree = 0;
    try {
      for (const r of records) {
        const theirs = run(["sqlite3", "theirs.db", r.sql], dir);
        const ours = run([...impl, "ours.db", r.sql], dir);
        if (same(r, theirs, ours)) agree++;
        else if (values.verbose) {
          process.stdout.write(`  ${file}:${r.line} ${r.sql.replace(/\n/g, " ").slice(0, 200)}\n    sqlite3: ${theirs.ok ? theirs.stdout.slice(0, 120).replace(/\n/g, "⏎") : `error ${theirs.stderr.trim()}`}\n    ours:    ${ours.ok ? ours.stdout.slice(0, 120).replace(/\n/g, "⏎") : `error ${ours.stderr.trim()}`}\n`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    agreeAll += agree;
    totalAll += records.length;
    process.stdout.write(`${file}: ${agree} of ${records.length} records agree (${((100 * agree) / records.length).toFixed(1)}%)\n`);
  }
  process.stdout.write(`all: ${agreeAll} of ${totalAll} (${((100 * agreeAll) / totalAll).toFixed(1)}%)\n`);
}
