/**
 * Upstream servers for the http challenge's proxy extension: HTTP/1.1 origins
 * the test runs in-process (node:net on a loopback port claimed for the
 * case) behind the program under test. Unlike local-service.ts's one-shot
 * origin, these keep connections alive (RFC 9112 §9.3), so the test can count
 * how many connections the proxy opened for how many requests; they record
 * every request (fields as received, body decoded from Content-Length or
 * chunked), count requests in flight, and answer by a handler: a response,
 * after a delay, or a close or a stall. A health path answers 200 or 503 as
 * the test switches `healthy`. Also: the proxy's config file and requests
 * with a chosen Host.
 */
import { writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";
import type { FailureDetails } from "../../../harness/report/failure.ts";
import { HttpConnection, type HttpResponse } from "../../../harness/clients/http.ts";

export interface UpstreamRequest {
  method: string;
  target: string;
  /** Fields as received, names in their case. */
  headers: [string, string][];
  body: Buffer;
  /** Which of the upstream's accepted connections (1, 2, …) carried it. */
  connection: number;
  /** Its place on that connection: 1 for the connection's first request, 2 for the next (a reused connection), … */
  nth: number;
}

export function fieldOf(headers: [string, string][], name: string): string | undefined {
  const v = headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, x]) => x);
  return v.length ? v.join(", ") : undefined;
}

/** What the upstream does with a request: answer (after delayMs, or once waitFor settles), send these bytes as they are (and keep the connection open), close the connection, or never answer. */
export type UpstreamAction = { status?: number; headers?: [string, string][]; body?: string | Buffer; delayMs?: number; waitFor?: Promise<unknown> } | { raw: string | Buffer } | "close" | "stall";

export interface UpstreamOptions {
  /** The answer; undefined: the default (200, `X-Upstream: <name>`, body `<name> <method> <target>\n`). */
  handler?: (req: UpstreamRequest) => UpstreamAction | undefined;
  /** Close a connection after it has been idle this long (ms). */
  idleCloseMs?: number;
  /** The health-check path (default /healthz): 200 while `healthy`, 503 otherwise. Not counted in `served`. */
  healthPath?: string;
}

const REASONS: Record<number, string> = { 200: "OK", 201: "Created", 302: "Found", 404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable" };

type ParsedRequest = { req: Omit<UpstreamRequest, "connection" | "nth">; used: number; close: boolean } | "incomplete" | "bad";

function parseRequest(buf: Buffer): ParsedRequest {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return "incomplete";
  const lines = buf.subarray(0, end).toString("latin1").split("\r\n");
  const [method = "", target = "", version = ""] = (lines.shift() ?? "").split(" ");
  const headers: [string, string][] = [];
  for (const line of lines) {
    const i = line.indexOf(":");
    if (i <= 0) return "bad";
    headers.push([line.slice(0, i), line.slice(i + 1).trim()]);
  }
  const close = /(^|,)\s*close\s*(,|$)/i.test(fieldOf(headers, "connection") ?? "") || version === "HTTP/1.0";
  let at = end + 4;
  if (/chunked/i.test(fieldOf(headers, "transfer-encoding") ?? "")) {
    const pieces: Buffer[] = [];
    for (;;) {
      const eol = buf.indexOf("\r\n", at);
      if (eol < 0) return "incomplete";
      const size = parseInt(buf.subarray(at, eol).toString("latin1"), 16);
      if (Number.isNaN(size)) return "bad";
      at = eol + 2;
      if (size === 0) break;
      if (buf.length < at + size + 2) return "incomplete";
      pieces.push(buf.subarray(at, at + size));
      at += size + 2;
    }
    for (;;) {
      const eol = buf.indexOf("\r\n", at);
      if (eol < 0) return "incomplete";
      const empty = eol === at;
      at = eol + 2;
      if (empty) break;
    }
    return { req: { method, target, headers, body: Buffer.concat(pieces) }, used: at, close };
  }
  const n = Number(fieldOf(headers, "content-length") ?? 0);
  if (buf.length < at + n) return "incomplete";
  return { req: { method, target, headers, body: Buffer.from(buf.subarray(at, at + n)) }, used: at + n, close };
}

export class HttpUpstream {
  /** Connections accepted so far. */
  connections = 0;
  /** Requests being handled now (received, not yet answered). */
  inFlight = 0;
  /** The most requests in flight at once. */
  maxInFlight = 0;
  /** Every request received, health checks included, in order. */
  readonly requests: UpstreamRequest[] = [];
  /** The health path answers `healthStatus` while true, 503 otherwise. */
  healthy = true;
  /** What the health path answers while `healthy`. */
  healthStatus = 200;
  /** Do not log each request received (the test logs a summary). */
  quiet = false;
  /** How many times a whole request arrived on a connection while the previous one on it was still being answered (pipelining by the client). */
  pipelined = 0;
  /** Connections closed so far (by either side). */
  closed = 0;
  private readonly sockets = new Set<net.Socket>();
  private dataWaiters: (() => void)[] = [];
  private log: (line: string) => void = () => {};

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly o: UpstreamOptions,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get healthPath(): string {
    return this.o.healthPath ?? "/healthz";
  }

  /** The requests that were not health checks. */
  get served(): UpstreamRequest[] {
    return this.requests.filter((r) => r.target !== this.healthPath);
  }

  /** Settles when bytes next arrive on any of the upstream's connections. */
  nextData(): Promise<void> {
    return new Promise((resolve) => this.dataWaiters.push(resolve));
  }

  static async start(t: CaseContext, name: string, o: UpstreamOptions = {}): Promise<HttpUpstream> {
    const up = new HttpUpstream(name, await t.port(), o);
    up.log = (line) => t.log.output(line);
    const server = net.createServer((sock) => up.accept(sock));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(up.port, "127.0.0.1", () => resolve());
    });
    t.defer(() => {
      server.close();
      for (const s of up.sockets) s.destroy();
    });
    t.log.output(`(upstream ${name}: an HTTP/1.1 server the test runs on ${up.address}, keep-alive, counting connections)`);
    return up;
  }

  private accept(sock: net.Socket): void {
    const id = ++this.connections;
    let nth = 0;
    this.sockets.add(sock);
    let buf = Buffer.alloc(0);
    let busy = false;
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    const idle = () => {
      clearTimeout(idleTimer);
      if (this.o.idleCloseMs !== undefined) idleTimer = setTimeout(() => sock.end(), this.o.idleCloseMs);
    };
    idle();
    sock.on("error", () => {});
    sock.on("close", () => {
      clearTimeout(idleTimer);
      this.closed++;
      this.sockets.delete(sock);
    });
    const pump = async () => {
      if (busy) return;
      busy = true;
      try {
        for (;;) {
          const p = parseRequest(buf);
          if (p === "incomplete") return;
          if (p === "bad") return void sock.destroy();
          buf = buf.subarray(p.used);
          // The next whole request is already here, before this one is answered: the client pipelined.
          if (parseRequest(buf) !== "incomplete") this.pipelined++;
          clearTimeout(idleTimer);
          const req = { ...p.req, connection: id, nth: ++nth };
          this.requests.push(req);
          if (!this.quiet && req.target !== this.healthPath) this.log(`(upstream ${this.name} received on its connection ${id}: ${req.method} ${req.target} | ${req.headers.map(([n, v]) => `${n}: ${v}`).join(" | ")}${req.body.length ? ` | ${req.body.length} bytes of body` : ""})`);
          this.inFlight++;
          this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
          try {
            const action = req.target === this.healthPath ? { status: this.healthy ? this.healthStatus : 503, body: this.healthy ? "ok\n" : "unhealthy\n" } : (this.o.handler?.(req) ?? { headers: [["X-Upstream", this.name]], body: `${this.name} ${req.method} ${req.target}\n` });
            if (action === "close") return void sock.destroy();
            if (action === "stall") return;
            if ("raw" in action) return void sock.write(action.raw);
            if (action.delayMs) await Bun.sleep(action.delayMs);
            if (action.waitFor) await action.waitFor;
            if (sock.destroyed) return;
            const body = typeof action.body === "string" ? Buffer.from(action.body) : (action.body ?? Buffer.alloc(0));
            const status = action.status ?? 200;
            const fields: [string, string][] = [...(action.headers ?? []), ["Content-Length", String(body.length)], ...(p.close ? [["Connection", "close"] as [string, string]] : [])];
            const head = `HTTP/1.1 ${status} ${REASONS[status] ?? "Status"}\r\n${fields.map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n`;
            sock.write(Buffer.concat([Buffer.from(head, "latin1"), body]));
            if (p.close) return void sock.end();
          } finally {
            this.inFlight--;
          }
          idle();
        }
      } finally {
        busy = false;
      }
    };
    sock.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (const wake of this.dataWaiters.splice(0)) wake();
      if (busy && parseRequest(buf) !== "incomplete") this.pipelined++;
      void pump().then(() => {
        if (buf.length > 0 && !busy) void pump();
      });
    });
  }
}

/** Writes the proxy's config (one directive a line) to <case dir>/<file> and logs it; returns its path. */
export function writeProxyConfig(t: CaseContext, lines: string[], file = "proxy.conf"): string {
  const path = join(t.dir, file);
  const text = `${lines.join("\n")}\n`;
  writeFileSync(path, text);
  t.log.command(`cat > ${path} <<'EOF'\n${text}EOF`);
  return path;
}

/** Starts the program under test with `--proxy <config>` after its usual arguments. */
export async function startProxy(t: CaseContext, lines: string[], file = "proxy.conf"): Promise<Program> {
  const path = writeProxyConfig(t, lines, file);
  return t.start({ extraArgs: ["--proxy", path] });
}

/** A request's bytes with the given Host: request line, Host, fields, the body with its Content-Length. */
export function requestFor(method: string, target: string, host: string, fields: [string, string][] = [], body?: string | Buffer): Buffer {
  const lines = [`${method} ${target} HTTP/1.1`, `Host: ${host}`, ...fields.map(([n, v]) => `${n}: ${v}`)];
  if (body !== undefined && !fields.some(([n]) => /^(content-length|transfer-encoding)$/i.test(n))) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), typeof body === "string" ? Buffer.from(body) : (body ?? Buffer.alloc(0))]);
}

/** One request through the proxy on a fresh connection, its response read whole (bounded by timeoutMs). */
export async function viaProxy(t: CaseContext, proxy: Program, request: Buffer, fail: FailureDetails, timeoutMs = 3000): Promise<HttpResponse> {
  const conn = await HttpConnection.open(t, proxy);
  try {
    await conn.send(request);
    return await conn.response(fail, { timeoutMs, headRequest: request.subarray(0, 5).toString() === "HEAD " });
  } finally {
    conn.close();
  }
}
