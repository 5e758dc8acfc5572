/**
 * Runs the fuzzer's queries (sql-fuzz.ts) through sqlite3 and the program
 * on one file, in one batch each (a marker row after every query), finds
 * the first query whose output differs, and shrinks it before reporting:
 * rows are deleted from a copy of the database, in halves, then quarters,
 * down to single rows, while the disagreement stays; then DISTINCT and a
 * trailing WHERE are dropped from the query if it still disagrees. The
 * report shows the shrunk query, the shrunk database as sqlite3 dumps it,
 * and both outputs.
 */
import { copyFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { shorten, type SqlCase } from "./sqlite.ts";
import { canonical, fuzzQueries, fuzzSchema } from "./sql-fuzz.ts";

const marker = (i: number) => `~~fuzz-${i}~~`;

/** Splits a batch's output at the markers: the output of each query, as far as it got. */
function split(output: string, n: number): string[] {
  const parts: string[] = [];
  let rest = output;
  for (let i = 0; i < n; i++) {
    const m = `${marker(i)}\n`;
    const at = rest.startsWith(m) ? 0 : rest.indexOf(`\n${m}`);
    if (at < 0) break;
    const cut = at === 0 ? 0 : at + 1;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut + m.length);
  }
  return parts;
}

interface Disagreement {
  query: string;
  expected: string;
  received: string;
}

/** sqlite3's and the program's outputs of `query` on `file`, when they differ (canonically). */
async function disagreement(sql: SqlCase, file: string, query: string): Promise<Disagreement | undefined> {
  let expected: string;
  try {
    expected = await sql.sqlite(file, query);
  } catch {
    return undefined; // sqlite3 refuses a reduced query: not a reproducer
  }
  const { result } = await sql.ours(file, query, 20000);
  const received = result.code === 0 ? result.stdout : `exit status ${result.code}: ${result.output.trim()}`;
  if (result.code === 0 && canonical(query, expected) === canonical(query, received)) return undefined;
  return { query, expected, received };
}

/** The query without its WHERE when that is the last clause, outside parentheses; else the query. */
function withoutLastWhere(q: string): string {
  let depth = 0;
  let at = -1;
  for (let i = 0; i < q.length; i++) {
    if (q[i] === "(") depth++;
    else if (q[i] === ")") depth--;
    else if (depth === 0 && q.startsWith(" WHERE ", i)) at = i;
  }
  if (at < 0 || /\b(ORDER BY|GROUP BY|UNION|INTERSECT|EXCEPT)\b/.test(q.slice(at))) return q;
  return q.slice(0, at);
}

/** Deletes rows from a copy of `file` while `d` still reproduces; returns the final file and disagreement. */
async function shrink(t: CaseContext, sql: SqlCase, file: string, d: Disagreement, tables: string[]): Promise<{ file: string; d: Disagreement; tries: number }> {
  const current = "fuzz-shrunk.db";
  copyFileSync(join(t.dir, file), join(t.dir, current));
  let tries = 0;
  const started = performance.now();
  const budget = () => tries < 60 && performance.now() - started < 30000;
  for (const table of tables) {
    let rowids = (await sql.sqlite(current, `SELECT rowid FROM ${table}`)).split("\n").filter((x) => x !== "");
    for (let chunk = Math.ceil(rowids.length / 2); chunk >= 1 && budget(); chunk = chunk === 1 ? 0 : Math.ceil(chunk / 2)) {
      for (let i = 0; i < rowids.length && budget(); ) {
        const gone = rowids.slice(i, i + chunk);
        copyFileSync(join(t.dir, current), join(t.dir, "fuzz-try.db"));
        await sql.sqlite("fuzz-try.db", `DELETE FROM ${table} WHERE rowid IN (${gone.join(", ")})`);
        tries++;
        const again = await disagreement(sql, "fuzz-try.db", d.query);
        if (again) {
          renameSync(join(t.dir, "fuzz-try.db"), join(t.dir, current));
          d = again;
          rowids = [...rowids.slice(0, i), ...rowids.slice(i + chunk)];
        } else i += chunk;
      }
    }
  }
  // Simpler queries, if they still disagree.
  for (const simpler of [d.query.replace(/^SELECT DISTINCT /, "SELECT "), withoutLastWhere(d.query)]) {
    if (simpler === d.query || !budget()) continue;
    tries++;
    const again = await disagreement(sql, current, simpler);
    if (again) d = again;
  }
  return { file: current, d, tries };
}

/**
 * One round: a schema and rows drawn from the seed, built by sqlite3, and
 * `n` queries run through both; the first disagreement fails the case,
 * shrunk, with `hint`.
 */
export async function fuzzRound(t: CaseContext, sql: SqlCase, round: number, n: number, hint: string): Promise<void> {
  const { tables, empty, script } = fuzzSchema(t.rand);
  const file = await sql.build(`fuzz-${round}.db`, script);
  const queries = fuzzQueries(t.rand, tables, empty, n);
  const batch = queries.map((q, i) => `${q};\nSELECT '${marker(i)}';`).join("\n");
  const expected = split(await sql.sqlite(file, batch), n);
  if (expected.length !== n) throw new Error(`the fuzzer's batch gave ${expected.length} of ${n} marker rows on sqlite3`);
  const { result } = await sql.ours(file, batch, 60000);
  const got = split(result.stdout, n);
  let first = queries.findIndex((q, i) => i >= got.length || canonical(q, expected[i]!) !== canonical(q, got[i]!));
  if (first < 0 && result.code !== 0) first = got.length;
  if (first < 0) {
    t.log.note(`round ${round + 1}: ${n} queries, every output equal to sqlite3's`);
    return;
  }
  // A batch that stopped (a parse error stops it before it starts) is narrowed down one query at a time.
  let d: Disagreement | undefined;
  for (let i = first; i < n && !d; i++) {
    d = await disagreement(sql, file, queries[i]!);
    if (d) first = i;
  }
  if (!d) throw new Error(`the batch disagreed at query ${first + 1}, but no query disagrees on its own`);
  const shrunk = await shrink(t, sql, file, d, tables.map((x) => x.name));
  const dump = await sql.sqlite(shrunk.file, ".dump");
  const rows = (dump.match(/^INSERT INTO/gm) ?? []).length;
  t.fail({
    message: `Your program's output differs from sqlite3's on a query the fuzzer drew (round ${round + 1}, query ${first + 1} of ${n}), shrunk to ${rows} rows in ${shrunk.tries} tries:\n  ${shrunk.d.query}\nThe database, shrunk, as sqlite3 dumps it:\n${shorten(dump, 30, 200)}`,
    expected: shorten(canonical(shrunk.d.query, shrunk.d.expected), 12, 200) || "(no rows)",
    received: shorten(canonical(shrunk.d.query, shrunk.d.received), 12, 200) || "(no rows)",
    hint,
  });
}
