/**
 * Benchmarks for `bun run bench http`: h2load against each target, one
 * workload at a time, every connection kept alive, first over HTTP/1.1
 * (`--h1`), then over HTTP/2 with prior knowledge (h2c). Numbers are requests
 * per second (higher is better), mean latency per request, failures, and for
 * the 1 MiB download megabytes per second.
 *
 * The target is restarted between the two groups (each has its own
 * `prepare`): the file each leaves in the directory has nginx
 * (challenges/http/real/nginx.sh) listen on the port itself, HTTP/1.1 only
 * or HTTP/2 only, without the relay that shares the port between the two in
 * the stages. The reference serves both on one port whatever the file says.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Benchmark, Workload } from "../../harness/bench.ts";

/** h2load's summary: `finished in 2.00s, 51234.50 req/s, 1.95MB/s` and the request counts. */
function rate(stdout: string): Map<string, number> {
  const out = new Map<string, number>();
  const rps = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(stdout);
  const reqs = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed/.exec(stdout);
  const mean = /time for request:\s+\S+\s+\S+\s+(\S+)/.exec(stdout);
  if (rps) out.set("requests/s", Number(rps[1]));
  if (mean) out.set("mean latency µs", mean[1]!.endsWith("ms") ? parseFloat(mean[1]!) * 1000 : mean[1]!.endsWith("us") ? parseFloat(mean[1]!) : parseFloat(mean[1]!) * 1e6);
  if (reqs) out.set("failed", Number(reqs[2]));
  return out;
}

/** `rate`, and the body throughput from the summary line in MB/s (h2load's MB are MiB). */
function throughput(stdout: string): Map<string, number> {
  const out = rate(stdout);
  const m = /finished in [\d.]+m?s, [\d.]+ req\/s, ([\d.]+)([KMG]?)B\/s/.exec(stdout);
  if (m) out.set("MB/s", Number(m[1]) * ({ "": 2 ** -20, K: 2 ** -10, M: 1, G: 2 ** 10 } as Record<string, number>)[m[2]!]!);
  return out;
}

const h1 = (port: number, path: string, extra: string[]) => ["h2load", "--h1", "-D", "5", "-c", "50", "-t", "2", ...extra, `http://127.0.0.1:${port}${path}`];
// HTTP/2 with prior knowledge (h2load's default for http://): 10 connections, 10 streams open on each.
const h2 = (port: number, path: string) => ["h2load", "-D", "5", "-c", "10", "-m", "10", "-t", "2", `http://127.0.0.1:${port}${path}`];

/** HTTP/1.1 only: nginx.sh then has nginx listen on the port itself (`listen <port>`). */
function http1(dir: string): void {
  rmSync(join(dir, "nginx-h2c-only"), { force: true });
  writeFileSync(join(dir, "nginx-http1-only"), "");
}

/** HTTP/2 with prior knowledge only: nginx.sh then has nginx listen on the port itself with `http2`. */
function http2(dir: string): void {
  rmSync(join(dir, "nginx-http1-only"), { force: true });
  writeFileSync(join(dir, "nginx-h2c-only"), "");
}

const MIB = 1 << 20;

const workloads: Workload[] = [
  { name: "HTTP/1.1: GET /echo/hello, 50 connections, 5 s", prepare: http1, argv: (port) => h1(port, "/echo/hello", []), parse: rate },
  { name: "HTTP/1.1: GET /echo/hello, 50 connections, 10 pipelined each, 5 s", prepare: http1, argv: (port) => h1(port, "/echo/hello", ["-m", "10"]), parse: rate },
  { name: "HTTP/1.1: GET /index.html (10 KB), 50 connections, 5 s", prepare: http1, argv: (port) => h1(port, "/index.html", []), parse: rate },
  { name: "HTTP/1.1: GET /big.bin (1 MiB), 50 connections, 5 s", prepare: http1, argv: (port) => h1(port, "/big.bin", []), parse: throughput },
  { name: "HTTP/2: GET /echo/hello, 10 connections × 10 streams, 5 s", prepare: http2, argv: (port) => h2(port, "/echo/hello"), parse: rate },
  { name: "HTTP/2: GET /index.html (10 KB), 10 connections × 10 streams, 5 s", prepare: http2, argv: (port) => h2(port, "/index.html"), parse: rate },
  { name: "HTTP/2: GET /big.bin (1 MiB), 10 connections × 10 streams, 5 s", prepare: http2, argv: (port) => h2(port, "/big.bin"), parse: throughput },
];

const benchmark: Benchmark = {
  client: { binary: "h2load", package: "nghttp2-client" },
  // Ours, nginx, then the reverse, workload by workload (the machine is shared: see the README's Benchmark).
  interleave: true,
  unit: "requests/s, mean latency in µs, MB/s for the download",
  prepare(dir) {
    // The --directory challenge.yaml gives: {dir}/files.
    const files = join(dir, "files");
    mkdirSync(files, { recursive: true });
    writeFileSync(join(files, "index.html"), `<html><body>\n${"<p>syscraft http bench</p>\n".repeat(400)}</body></html>\n`);
    // 1 MiB that does not compress to nothing (gzip is not asked for by h2load anyway).
    const big = Buffer.alloc(MIB);
    for (let i = 0, x = 12345; i < MIB; i++) big[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
    writeFileSync(join(files, "big.bin"), big);
  },
  workloads,
};
export default benchmark;
