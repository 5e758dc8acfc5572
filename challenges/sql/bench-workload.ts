/**
 * One SQL benchmark run, for `bun run bench sql`: times the implementation
 * given as the argument (a command line) on bench.db, which bench.ts's
 * prepare() made with sqlite3 in the current directory. Each query runs
 * ten times; prints `<metric> <best milliseconds>` lines (process start
 * included, as a learner's program is run once per query), then
 * `<metric>-cpu <best CPU milliseconds>` lines.
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

/** One run: its wall time and its CPU time (user + system, the shell and the program), in milliseconds. */
function run(sql: string): { ms: number; cpu: number } {
  const started = performance.now();
  const r = Bun.spawnSync(["/bin/sh", "-c", `${program} "$@"`, "bench", "bench.db", sql], { stdout: "pipe", stderr: "pipe" });
  const ms = performance.now() - started;
  if (r.exitCode !== 0) {
    console.error(`${program} bench.db "${sql}" exited with ${r.exitCode}: ${r.stderr.toString()}`);
    process.exit(1);
  }
  const { user, system } = r.resourceUsage.cpuTime;
  return { ms, cpu: Number(user + system) / 1000 };
}

// Best of ten: the machine the benchmark runs on is usually busy with other work (a load average of 10-20 on
// 2 cores), which only ever makes a run slower; with three runs the best was often still a slowed one. The
// CPU time (`<metric>-cpu`) is printed too: a busy machine stretches a run's wall time far more than its CPU
// time, so the CPU ratio says more there. (Bun's JIT and GC threads count in its CPU time.)
const RUNS = 10;
const cpu: string[] = [];
for (const [metric, sql] of QUERIES) {
  let best = Infinity;
  let bestCpu = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const r = run(sql);
    best = Math.min(best, r.ms);
    bestCpu = Math.min(bestCpu, r.cpu);
  }
  console.log(`${metric} ${best.toFixed(1)}`);
  cpu.push(`${metric}-cpu ${bestCpu.toFixed(1)}`);
}
for (const line of cpu) console.log(line);
