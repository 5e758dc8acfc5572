/**
 * Where a whole `bun test` run's time went, per challenge, from bun's JUnit
 * report of it:
 *
 *   bun test --reporter=junit --reporter-outfile=/tmp/suite.xml
 *   bun .ci/suite-cost.ts /tmp/suite.xml [--markdown]
 *
 * A test's time is how long bun waited on it, so the times of a file's tests
 * add up to the file's share of the run: for the fixture and real-implementation
 * checks, whose runs go ahead of their tests (harness/stage/ahead.ts), it is the
 * wait each check added, not its run's own length. Columns: the stages on the
 * reference solution (stages/<slug>/), the stages against the real
 * implementation (harness/real.test.ts), the broken-fixture checks
 * (harness/fixtures/<challenge>/fixtures.test.ts), and the challenge's own self-tests
 * (challenges/<slug>/); the harness's self-tests are one row.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { positionals, values } = parseArgs({ allowPositionals: true, strict: true, options: { markdown: { type: "boolean", default: false } } });
if (positionals.length !== 1) {
  console.error("usage: bun .ci/suite-cost.ts <junit.xml> [--markdown]");
  process.exit(2);
}
const xml = readFileSync(positionals[0]!, "utf8");

const unescape = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? unescape(m[1]!) : "";
};

type Column = "stages" | "real" | "fixtures" | "self";
const COLUMNS: Column[] = ["stages", "real", "fixtures", "self"];
const rows = new Map<string, Record<Column, { s: number; n: number }>>();
const add = (row: string, col: Column, s: number) => {
  if (!rows.has(row)) rows.set(row, { stages: { s: 0, n: 0 }, real: { s: 0, n: 0 }, fixtures: { s: 0, n: 0 }, self: { s: 0, n: 0 } });
  const cell = rows.get(row)![col];
  cell.s += s;
  cell.n++;
};
const slowest: { s: number; what: string }[] = [];

for (const m of xml.matchAll(/<testcase\b[^>]*>/g)) {
  const tag = m[0];
  const file = attr(tag, "file");
  const name = attr(tag, "name");
  const s = Number(attr(tag, "time")) || 0;
  slowest.push({ s, what: `${file}: ${name}` });
  let stage: RegExpExecArray | null;
  if ((stage = /^stages\/([^/]+)\//.exec(file))) add(stage[1]!, "stages", s);
  else if (file === "harness/real.test.ts") add(/^([a-z0-9-]+)\//.exec(name)?.[1] ?? "harness", "real", s);
  else if (/^harness\/fixtures\/([a-z0-9-]+\/)?fixtures\.test\.ts$/.test(file)) add(/^([a-z0-9-]+)\//.exec(name)?.[1] ?? "harness", "fixtures", s);
  else if ((stage = /^challenges\/([^/]+)\//.exec(file))) add(stage[1]!, "self", s);
  else add("harness", "self", s);
}

const order = [...rows.keys()].sort((a, b) => (a === "harness" ? 1 : b === "harness" ? -1 : a.localeCompare(b)));
const total = (r: Record<Column, { s: number }>) => COLUMNS.reduce((t, c) => t + r[c].s, 0);
const cell = (c: { s: number; n: number }) => (c.n === 0 ? "—" : `${Math.round(c.s)} s (${c.n})`);
const lines = [["", ...COLUMNS.map((c) => ({ stages: "stages on the reference", real: "stages on the real implementation", fixtures: "fixture checks", self: "self-tests" })[c]), "total"]];
for (const row of order) lines.push([row, ...COLUMNS.map((c) => cell(rows.get(row)![c])), `${Math.round(total(rows.get(row)!))} s`]);
const sums = COLUMNS.map((c) => order.reduce((acc, r) => ({ s: acc.s + rows.get(r)![c].s, n: acc.n + rows.get(r)![c].n }), { s: 0, n: 0 }));
lines.push(["all", ...sums.map(cell), `${Math.round(sums.reduce((t, c) => t + c.s, 0))} s`]);
if (values.markdown) {
  console.log(`| ${lines[0]!.join(" | ")} |`);
  console.log(`|${lines[0]!.map(() => "---").join("|")}|`);
  for (const l of lines.slice(1)) console.log(`| ${l.join(" | ")} |`);
} else {
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  for (const l of lines) console.log(l.map((c, i) => c.padEnd(widths[i]!)).join("  "));
}
console.log(`\nslowest tests:`);
for (const t of slowest.sort((a, b) => b.s - a.s).slice(0, 15)) console.log(`  ${t.s.toFixed(1)} s  ${t.what}`);
