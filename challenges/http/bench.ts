/**
 * Benchmarks for `bun run bench http`: h2load in HTTP/1.1 mode (--h1) against
 * each target, one workload at a time, every connection kept alive. Numbers
 * are requests per second (higher is better).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Benchmark } from "../../harness/bench.ts";

/** h2load's summary: `finished in 2.00s, 51234.50 req/s, …` and the request counts. */
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

const h2load = (port: number, path: string, extra: string[]) => ["h2load", "--h1", "-D", "5", "-c", "50", "-t", "2", ...extra, `http://127.0.0.1:${port}${path}`];

const benchmark: Benchmark = {
  client: { binary: "h2load", package: "nghttp2-client" },
  unit: "requests/s",
  prepare(dir) {
    // The --directory challenge.yaml gives: {dir}/files.
    const files = join(dir, "files");
    mkdirSync(files, { recursive: true });
    writeFileSync(join(files, "index.html"), `<html><body>\n${"<p>syscraft http bench</p>\n".repeat(400)}</body></html>\n`);
    // HTTP/1.1 only: nginx.sh then has nginx listen on the port itself, without the relay
    // that shares the port with cleartext HTTP/2 in the stages (see real/nginx.sh).
    writeFileSync(join(dir, "nginx-http1-only"), "");
  },
  workloads: [
    { name: "GET /echo/hello, 50 connections, 5 s", argv: (port) => h2load(port, "/echo/hello", []), parse: rate },
    { name: "GET /echo/hello, 50 connections, 10 pipelined each, 5 s", argv: (port) => h2load(port, "/echo/hello", ["-m", "10"]), parse: rate },
    { name: "GET /index.html (10 KB), 50 connections, 5 s", argv: (port) => h2load(port, "/index.html", []), parse: rate },
  ],
};
export default benchmark;
