import { readdirSync } from "node:fs";
import { join } from "node:path";
import { runSltFile, type SltRecord } from "../../challenges/sql/clients/sqllogictest.ts";
import { SqlCase } from "../../challenges/sql/clients/sqlite.ts";
import { ROOT } from "../../harness/paths.ts";
import { stage } from "../../harness/stage/define.ts";

/** The test files, in sqllogictest's format; their expected values are what sqlite3 prints (`--real` checks them). */
const DIR = join(ROOT, "challenges/sql/sqllogictest");
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith(".test"))
  .sort();

function hint(r: SltRecord): string {
  if (r.kind === "statement") return r.ok ? "The statement is valid SQL that sqlite3 runs: run it, print nothing, exit 0." : "sqlite3 refuses this statement (or one statement of it): print an error and exit non-zero, changing nothing.";
  return `Print the rows as sqlite3 does in list mode (columns joined by |, NULL as nothing); the runner compares them value by value${r.sort === "nosort" ? ", in your order" : r.sort === "rowsort" ? " after sorting the rows" : " after sorting the values"}. The stage that teaches this query's feature (1–10) has the details.`;
}

export default stage(
  import.meta,
  FILES.map((file) => ({
    name: `${file}: every record as sqlite3 runs it`,
    async run(t) {
      const sql = SqlCase.start(t);
      await runSltFile(t, sql, join(DIR, file), "slt.db", hint);
    },
  })),
);
