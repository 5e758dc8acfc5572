import { fuzzRound } from "../../challenges/sql/clients/sql-fuzz-run.ts";
import { SqlCase } from "../../challenges/sql/clients/sqlite.ts";
import { stage } from "../../harness/stage/define.ts";

const AGREE =
  "Every query the fuzzer draws must print what sqlite3 prints on the same file (rows compared as a sorted list unless the query's ORDER BY fixes their order). The report shows the query and the database shrunk to the rows that still make the difference: run that query on that database with sqlite3 and with your program, and find which earlier stage's rule it breaks (NULLs first in ORDER BY, sum over no rows is NULL, affinity in comparisons, three-valued logic…).";

/** Rounds of queries per run, and queries per round: a few seconds against the reference. */
const ROUNDS = 3;
const QUERIES = 40;

export default stage(import.meta, [
  {
    name: "random schemas, rows and queries agree with sqlite3",
    async run(t) {
      const sql = SqlCase.start(t);
      for (let round = 0; round < ROUNDS; round++) await fuzzRound(t, sql, round, QUERIES, AGREE);
    },
  },
]);
