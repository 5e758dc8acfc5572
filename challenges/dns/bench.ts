/**
 * Benchmarks for `bun run bench dns`: dnsperf against each target, serving
 * the same zone, one workload at a time. Numbers are queries per second
 * (higher is better).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Benchmark } from "../../harness/bench.ts";

const ORIGIN = "bench.test.";
const HOSTS = 200;

/** A zone of 200 hosts with A and AAAA records, a few CNAMEs, MX and TXT. */
function zone(): string {
  const lines = [`$ORIGIN ${ORIGIN}`, "$TTL 3600", "@ IN SOA ns1 hostmaster ( 2026112301 7200 900 1209600 300 )", "  IN NS ns1", "  IN MX 10 mail", "ns1 IN A 127.0.0.53", "mail IN A 10.9.9.9"];
  for (let i = 0; i < HOSTS; i++) lines.push(`host${i} IN A 10.0.${i >> 8}.${i & 255}`, `      IN AAAA 2001:db8::${i.toString(16)}`);
  for (let i = 0; i < 20; i++) lines.push(`alias${i} IN CNAME host${i}`, `txt${i} IN TXT "v=bench${i}" "second string"`);
  return `${lines.join("\n")}\n`;
}

/** dnsperf's input: a mix of positive answers, CNAMEs, NODATA and NXDOMAIN. */
function queries(): string {
  const out: string[] = [];
  for (let i = 0; i < HOSTS; i++) out.push(`host${i}.${ORIGIN} A`, `host${i}.${ORIGIN} AAAA`);
  for (let i = 0; i < 20; i++) out.push(`alias${i}.${ORIGIN} A`, `txt${i}.${ORIGIN} TXT`, `host${i}.${ORIGIN} MX`, `missing${i}.${ORIGIN} A`);
  out.push(`${ORIGIN} SOA`, `${ORIGIN} NS`, `${ORIGIN} MX`);
  return `${out.join("\n")}\n`;
}

function qps(stdout: string): Map<string, number> {
  const out = new Map<string, number>();
  const rate = /Queries per second:\s+([\d.]+)/.exec(stdout);
  const lost = /Queries lost:\s+(\d+)/.exec(stdout);
  const latency = /Average Latency \(s\):\s+([\d.]+)/.exec(stdout);
  if (rate) out.set("queries/s", Number(rate[1]));
  if (latency) out.set("latency µs", Number(latency[1]) * 1e6);
  if (lost) out.set("lost", Number(lost[1]));
  return out;
}

const dnsperf = (port: number, extra: string[]) => ["dnsperf", "-s", "127.0.0.1", "-p", String(port), "-d", "queries.txt", "-l", "10", ...extra];

const benchmark: Benchmark = {
  client: { binary: "dnsperf", package: "dnsperf" },
  // Ours, NSD, then the reverse, workload by workload (the machine is shared: see the README's Benchmark).
  interleave: true,
  unit: "queries/s",
  prepare(dir) {
    writeFileSync(join(dir, "zone.db"), zone());
    writeFileSync(join(dir, "queries.txt"), queries());
  },
  workloads: [
    { name: "UDP, 10 clients, up to 100 queries outstanding, 10 s", argv: (port) => dnsperf(port, ["-c", "10", "-q", "100"]), parse: qps },
    { name: "TCP, 10 connections, up to 100 queries outstanding, 10 s", argv: (port) => dnsperf(port, ["-m", "tcp", "-c", "10", "-q", "100"]), parse: qps },
  ],
};
export default benchmark;
