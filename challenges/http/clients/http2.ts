/**
 * The real HTTP/2 clients for the http2 stages: curl --http2-prior-knowledge,
 * nghttp and h2load (Debian's nghttp2-client), each bounded, with what the
 * tests read from their output.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";
import type { FailureDetails } from "../../../harness/report/failure.ts";
import { CURL_PACKAGE } from "../../../harness/clients/http.ts";

export const NGHTTP2_PACKAGE = "nghttp2-client";

export interface CurlH2Result {
  /** Per URL, in order: the HTTP version curl used ("2" for HTTP/2), the status and the body. */
  responses: { version: string; status: number; body: Buffer }[];
  /** curl's -v trace. */
  trace: string;
}

let curlRuns = 0;

/** curl --http2-prior-knowledge with one -o file per URL; fails with `fail` if curl fails. */
export async function curlH2(t: CaseContext, urls: string[], fail: Omit<FailureDetails, "received">, extra: string[] = []): Promise<CurlH2Result> {
  const run = ++curlRuns;
  const files = urls.map((_, i) => join(t.dir, `curl-${run}-${i + 1}.out`));
  const argv = ["curl", "-sSv", "--http2-prior-knowledge", "--path-as-is", "--max-time", "5", "-w", "%{http_version} %{response_code}\\n", ...extra];
  urls.forEach((u, i) => argv.push(u, "-o", files[i]!));
  const r = await t.client(CURL_PACKAGE, argv, { timeoutMs: 7000, quietStderr: true });
  const trace = r.output.split("\n").filter((l) => /^[*<>]/.test(l)).join("\n");
  if (r.code !== 0) {
    const said = r.output.split("\n").find((l) => l.startsWith("curl: ")) ?? `exit status ${r.code}`;
    t.fail({ ...fail, expected: "an HTTP/2 response", received: `curl failed: ${said}` });
  }
  const lines = r.stdout.trim().split("\n");
  const responses = urls.map((_, i) => {
    const [version = "?", status = "0"] = (lines[i] ?? "").split(" ");
    let body = Buffer.alloc(0);
    try {
      body = readFileSync(files[i]!);
    } catch {
      // no body written
    }
    return { version, status: Number(status), body };
  });
  return { responses, trace };
}

export function h2url(server: Program, path: string): string {
  return `http://${server.host}:${server.port}${path}`;
}

/** nghttp (always bounded with -t); returns its exit code and output (stdout and stderr). */
export async function nghttp(t: CaseContext, args: string[], o: { timeoutMs?: number } = {}): Promise<{ code: number; output: string; stdout: string; stdoutBytes: Buffer }> {
  const r = await t.client(NGHTTP2_PACKAGE, ["nghttp", "-t", "4", ...args], { timeoutMs: o.timeoutMs ?? 7000, quietStderr: true });
  return { code: r.code, output: r.output, stdout: r.stdout, stdoutBytes: Buffer.from(r.stdoutBytes) };
}

export interface H2loadResult {
  code: number;
  output: string;
  total?: number;
  succeeded?: number;
  failed?: number;
  errored?: number;
  /** "2xx" count. */
  status2xx?: number;
}

/** h2load (HTTP/2 with prior knowledge over plain TCP for http:// URLs), bounded. */
export async function h2load(t: CaseContext, args: string[], o: { timeoutMs?: number } = {}): Promise<H2loadResult> {
  const r = await t.client(NGHTTP2_PACKAGE, ["h2load", ...args], { timeoutMs: o.timeoutMs ?? 6000, quietStderr: true });
  const m = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(r.output);
  const s = /status codes: (\d+) 2xx/.exec(r.output);
  return { code: r.code, output: r.output, total: m ? Number(m[1]) : undefined, succeeded: m ? Number(m[4]) : undefined, failed: m ? Number(m[5]) : undefined, errored: m ? Number(m[6]) : undefined, status2xx: s ? Number(s[1]) : undefined };
}
