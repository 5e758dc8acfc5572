/**
 * Real git's smart HTTP server for the HTTP clone, fetch and push stages: a
 * tiny HTTP server in the test process, on loopback, that runs
 * `git http-backend` as a CGI program for each request (through the
 * harness's process layer, bounded) and sends back what it printed.
 *
 * It passes the CGI environment http-backend reads: GIT_PROJECT_ROOT,
 * GIT_HTTP_EXPORT_ALL, PATH_INFO, QUERY_STRING, REQUEST_METHOD,
 * CONTENT_TYPE, and GIT_PROTOCOL from the `Git-Protocol` header (how
 * protocol version 2 is asked for over HTTP). Pushing is enabled with
 * REMOTE_USER (http-backend allows receive-pack to an authenticated user).
 * https://git-scm.com/docs/git-http-backend, https://git-scm.com/docs/gitprotocol-http
 */
import { join } from "node:path";
import { GroupProcess } from "../../../harness/process/spawn.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { requireBinary } from "../../../harness/clients/require.ts";
import { GIT_PACKAGE, type GitCase } from "./git.ts";

export interface HttpServer {
  /** Where the served bare repositories live (GIT_PROJECT_ROOT). */
  base: string;
  /** http://127.0.0.1:<port>/<name>.git */
  url: (name: string) => string;
  /** The bare repository `<name>.git` in the served directory. */
  path: (name: string) => string;
  /** The requests served so far: `<method> <path and query> <status> [Git-Protocol: …]`. */
  requests: string[];
}

const CGI_TIMEOUT_MS = 10_000;

/** Splits CGI output into its header lines and body. */
function parseCgi(out: Uint8Array): { status: number; headers: Headers; body: Uint8Array } {
  const buf = Buffer.from(out);
  let end = buf.indexOf("\r\n\r\n");
  let sep = 4;
  if (end < 0 || (buf.indexOf("\n\n") >= 0 && buf.indexOf("\n\n") < end)) {
    end = buf.indexOf("\n\n");
    sep = 2;
  }
  if (end < 0) return { status: 502, headers: new Headers(), body: buf };
  const headers = new Headers();
  let status = 200;
  for (const line of buf.toString("latin1", 0, end).split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const [name, value] = [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
    if (name.toLowerCase() === "status") status = parseInt(value, 10) || 200;
    else headers.append(name, value);
  }
  return { status, headers, body: buf.subarray(end + sep) };
}

/** Serves `<case dir>/<dirName>` (created) with git http-backend on a loopback port; stopped with the case. */
export async function startHttpServer(t: CaseContext, g: GitCase, dirName = "served-http"): Promise<HttpServer> {
  requireBinary("git", GIT_PACKAGE);
  const base = g.dir(dirName);
  const port = await t.port();
  const requests: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port,
    async fetch(req) {
      const url = new URL(req.url);
      const body = new Uint8Array(await req.arrayBuffer());
      const protocol = req.headers.get("git-protocol");
      const env: Record<string, string | undefined> = {
        ...g.env,
        GIT_PROJECT_ROOT: base,
        GIT_HTTP_EXPORT_ALL: "1",
        REMOTE_USER: "syscraft",
        REMOTE_ADDR: "127.0.0.1",
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.replace(/^\?/, ""),
        REQUEST_METHOD: req.method,
        CONTENT_TYPE: req.headers.get("content-type") ?? "",
        CONTENT_LENGTH: String(body.length),
        GIT_PROTOCOL: protocol ?? undefined,
        SERVER_PROTOCOL: "HTTP/1.1",
      };
      const proc = new GroupProcess(["git", "http-backend"], { cwd: base, env, stdin: body, cap: 256 * 1024 * 1024 });
      const code = await proc.waitExit(CGI_TIMEOUT_MS);
      if (code === null) await proc.stop(200);
      const res = parseCgi(proc.stdout.bytes());
      requests.push(`${req.method} ${url.pathname}${url.search} ${res.status}${protocol ? ` Git-Protocol: ${protocol}` : ""}`);
      return new Response(res.body, { status: res.status, headers: res.headers });
    },
  });
  t.defer(() => server.stop(true));
  t.log.note(`the test serves ${base} over HTTP on 127.0.0.1:${port} with git http-backend (GIT_PROJECT_ROOT=${base} GIT_HTTP_EXPORT_ALL=1, one CGI run per request)`);
  return { base, url: (name) => `http://127.0.0.1:${port}/${name}.git`, path: (name) => join(base, `${name}.git`), requests };
}
