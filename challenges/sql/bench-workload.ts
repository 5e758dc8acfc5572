/**
 * One SQL benchmark run, for `bun run bench sql`: times the implementation
 * given as the argument (a command line) on bench.db, which bench.ts's
 * prepare() made with sqlite3 in the current directory. Each query runs
 * three times; prints `<metric> <best milliseconds>` lines (process start
 * included, as a learner's program is run once per query).
 */
const program = Bun.argv[2];
if (!program) {
  console.error("usage: bench-workload.ts <implementation command>");
  process.exit(2);
}

const QUERIES: [string, string][] = [
  ["count", "SELECT count(*) FROM orders"],
  ["scan-where", "SELECT id, customer FROM orders WHERE amount > 999990 AND note LIKE '%7%'"],
  ["index-eq", "SELECT id, amount FROM orders WHERE customer = 'customer-4242'"],
  ["rowid-eq", "SELECT * FROM orders WHERE id = 77777"],
  ["group-by", "SELECT status, count(*), sum(amount), avg(amount) FROM orders GROUP BY status ORDER BY status"],
  ["order-limit", "SELECT id, amount FROM orders ORDER BY amount DESC, id LIMIT 10"],
];

function run(sql: string): number {
  const started = performance.now();
  const r = Bun.spawnSync(["/bin/sh", "-c", `${program} "$@"`, "bench", "bench.db", sql], { stdout: "pipe", stderr: "pipe" });
  const ms = performance.now() - started;
  if (r.exitCode !== 0) {
    console.error(`${program} bench.db "${sql}" exited with ${r.exitCode}: ${r.stderr.toString()}`);
    process.exit(1);
  }
  return ms;
}

for (const [metric, sql] of QUERIES) console.log(`${metric} ${Math.min(run(sql), run(sql), run(sql)).toFixed(0)}`);
