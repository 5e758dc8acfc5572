/**
 * HTTP/1.1 clients for stage tests: curl (the real client, as a learner would
 * run it) and raw TCP connections for what curl hides (exact bytes,
 * pipelining, malformed requests), with a response reader that frames
 * responses by Content-Length or chunked coding (RFC 9112 §6.3).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { CaseContext, StartOptions } from "../stage/context.ts";
import type { Program } from "../stage/program.ts";
import { StageFailure, type FailureDetails } from "../report/failure.ts";
import { visible } from "../report/show.ts";
import { caseEnded, never } from "../stage/case-ended.ts";
import { TcpConnection } from "./tcp.ts";

export const NC_PACKAGE = "netcat-openbsd";

export const CURL_PACKAGE = "curl";

export interface HttpResponse {
  /** `HTTP/1.1 200 OK` */
  statusLine: string;
  status: number;
  /** Field names as sent. */
  headers: [string, string][];
  body: Buffer;
  /** The bytes of the status line and header section, up to and including the empty line. */
  head: string;
}

/** The value of a header field (names compare case-insensitively), repeated fields joined with ", ". */
export function header(r: HttpResponse, name: string): string | undefined {
  const values = r.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
  return values.length === 0 ? undefined : values.join(", ");
}

/** Parses `HTTP/1.1 200 OK\r\nName: value\r\n…` (without the final empty line). */
export function parseResponseHead(head: string): Omit<HttpResponse, "body" | "head"> | string {
  const lines = head.split("\r\n");
  const statusLine = lines.shift() ?? "";
  const m = /^HTTP\/1\.[01] (\d{3}) .*$|^HTTP\/1\.[01] (\d{3})$/.exec(statusLine);
  if (!m) return `the status line should be "HTTP/1.1 <3-digit code> <reason>", not ${JSON.stringify(visible(statusLine))}`;
  const headers: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) return `a header line should be "Name: value", not ${JSON.stringify(visible(line))}`;
    headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return { statusLine, status: Number(m[1] ?? m[2]), headers };
}

type Framed = { response: HttpResponse; used: number } | "incomplete" | { error: string };

/** A chunked body starting at `at`: its data and where it ends, or undefined if incomplete. */
function chunked(buf: Buffer, at: number): { body: Buffer; end: number } | undefined | string {
  const pieces: Buffer[] = [];
  for (;;) {
    const eol = buf.indexOf("\r\n", at);
    if (eol < 0) return undefined;
    const sizeText = buf.subarray(at, eol).toString("latin1").split(";")[0]!.trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) return `bad chunk size line ${JSON.stringify(visible(buf.subarray(at, eol)))}`;
    const size = parseInt(sizeText, 16);
    at = eol + 2;
    if (size === 0) break;
    if (buf.length < at + size + 2) return undefined;
    pieces.push(buf.subarray(at, at + size));
    at += size + 2;
  }
  for (;;) {
    const eol = buf.indexOf("\r\n", at);
    if (eol < 0) return undefined;
    const empty = eol === at;
    at = eol + 2;
    if (empty) return { body: Buffer.concat(pieces), end: at };
  }
}

/**
 * Frames the first response in `buf` (RFC 9112 §6.3). `closed`: the server
 * closed, so a body without length ends here. `dechunked`: the text is curl's
 * -i output, where a chunked body is printed decoded, so it runs to the end.
 */
export function frameResponse(buf: Buffer, o: { headRequest?: boolean; closed?: boolean; dechunked?: boolean } = {}): Framed {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return "incomplete";
  const head = buf.subarray(0, end + 4).toString("latin1");
  const parsed = parseResponseHead(head.slice(0, -4));
  if (typeof parsed === "string") return { error: parsed };
  const start = end + 4;
  const done = (body: Buffer, used: number): Framed => ({ response: { ...parsed, head, body: Buffer.from(body) }, used });
  const r = { ...parsed, head, body: Buffer.alloc(0) };
  if (o.headRequest || parsed.status === 204 || parsed.status === 304 || parsed.status < 200) return done(Buffer.alloc(0), start);
  const te = header(r, "transfer-encoding");
  if (te !== undefined && /chunked/i.test(te)) {
    if (o.dechunked) return done(buf.subarray(start), buf.length);
    const c = chunked(buf, start);
    if (typeof c === "string") return { error: c };
    if (c === undefined) return "incomplete";
    return done(c.body, c.end);
  }
  const cl = header(r, "content-length");
  if (cl !== undefined) {
    if (!/^\d+$/.test(cl)) return { error: `Content-Length should be a number of bytes, not ${JSON.stringify(cl)}` };
    const n = Number(cl);
    if (buf.length - start < n) return "incomplete";
    return done(buf.subarray(start, start + n), start + n);
  }
  // No length: the body runs to the end of the connection.
  if (!o.closed) return "incomplete";
  return done(buf.subarray(start), buf.length);
}

export interface ReadOptions {
  /** The request was HEAD: the response has no body. */
  headRequest?: boolean;
  timeoutMs?: number;
}

/** A raw TCP connection to the server (what `nc` does), reading whole HTTP responses. */
export class HttpConnection {
  private constructor(
    readonly tcp: TcpConnection,
    private readonly signal: AbortSignal,
  ) {}

  /** `quiet`: the bytes are not logged (the caller logs a summary, e.g. of hundreds of requests). */
  static async open(t: CaseContext, server: Program, name = "connection", o: { quiet?: boolean } = {}): Promise<HttpConnection> {
    const tcp = await TcpConnection.open({ host: server.host, port: server.port, log: t.log, name, quiet: o.quiet });
    t.defer(() => tcp.close());
    return new HttpConnection(tcp, t.signal);
  }

  send(data: string | Uint8Array | (string | Uint8Array)[], pauseMs?: number): Promise<void> {
    return this.tcp.send(data, pauseMs);
  }

  get closed(): boolean {
    return this.tcp.closed;
  }

  /** Waits (bounded) for one whole response and consumes it; fails with `fail` if none comes. */
  async response(fail: FailureDetails, o: ReadOptions = {}): Promise<HttpResponse> {
    let framed: Framed = "incomplete";
    await this.tcp.waitFor((buf) => {
      framed = frameResponse(buf, { headRequest: o.headRequest, closed: this.tcp.closed });
      return framed !== "incomplete";
    }, o.timeoutMs ?? 3000);
    // The case is over (its cleanup closed the connection): a read it never awaited must not reject late.
    if (caseEnded(this.signal)) return never();
    framed = frameResponse(this.tcp.pending, { headRequest: o.headRequest, closed: this.tcp.closed });
    const got = this.tcp.pending.length === 0 ? "(nothing)" : visible(this.tcp.pending.subarray(0, 400));
    if (framed === "incomplete") {
      if (this.tcp.pending.length > 0) this.tcp.take(this.tcp.pending.length);
      throw new StageFailure({ ...fail, detail: `${this.tcp.closed ? "The connection was closed" : `Waited ${(o.timeoutMs ?? 3000) / 1000} s`}; received so far: ${got}${fail.detail ? `\n${fail.detail}` : ""}` });
    }
    if ("error" in framed) {
      this.tcp.take(this.tcp.pending.length);
      throw new StageFailure({ message: `The response cannot be read: ${framed.error}.`, hint: "A response is a status line, header lines, an empty line, each ending in \\r\\n, then a body of Content-Length bytes (RFC 9112 §2.1, §4, §6).", detail: `received: ${got}` });
    }
    this.tcp.take(framed.used);
    return framed.response;
  }

  /** Waits (bounded) until the server closes the connection; returns whether it did. */
  async waitClosed(timeoutMs = 2000): Promise<boolean> {
    await this.tcp.waitFor(() => false, timeoutMs);
    if (caseEnded(this.signal)) return never();
    return this.tcp.closed;
  }

  close(): void {
    this.tcp.close();
  }
}

/** A request's bytes: request line, Host, the given fields, the body with its Content-Length if any (counted in latin1 bytes, as TcpConnection sends strings). */
export function rawRequest(method: string, target: string, fields: [string, string][] = [], body?: string): string {
  const lines = [`${method} ${target} HTTP/1.1`, "Host: 127.0.0.1", ...fields.map(([n, v]) => `${n}: ${v}`)];
  if (body !== undefined && !fields.some(([n]) => /^(content-length|transfer-encoding)$/i.test(n))) lines.push(`Content-Length: ${Buffer.byteLength(body, "latin1")}`);
  return `${lines.join("\r\n")}\r\n\r\n${body ?? ""}`;
}

export interface CurlResult {
  code: number;
  /** Responses in order (curl -i prints each one's head and body). */
  responses: HttpResponse[];
  /** curl's -v trace (stderr). */
  trace: string;
}

/** The base URL of the server: http://127.0.0.1:<port> */
export function baseUrl(server: Program): string {
  return `http://${server.host}:${server.port}`;
}

/**
 * Runs curl with `args` (URLs and options) plus -s -S -i -v --path-as-is,
 * bounded, and parses the responses it printed (curl prints a chunked body
 * decoded, so only the last of several URLs may answer chunked). Fails with `fail` when curl
 * exits non-zero.
 */
export async function curl(t: CaseContext, args: string[], fail: Omit<FailureDetails, "received">, o: { stdin?: string } = {}): Promise<CurlResult> {
  const argv = ["curl", "-sSiv", "--path-as-is", "--max-time", "4", ...args];
  const r = await t.client(CURL_PACKAGE, argv, { timeoutMs: 6000, stdin: o.stdin, quietStderr: true });
  const trace = r.output.split("\n").filter((l) => /^[*<>]/.test(l)).join("\n");
  if (r.code !== 0) {
    const said = r.output.split("\n").find((l) => l.startsWith("curl: ")) ?? `exit status ${r.code}`;
    t.fail({ ...fail, received: `curl failed: ${said}` });
  }
  const responses: HttpResponse[] = [];
  let buf = Buffer.from(r.stdout, "latin1");
  while (buf.length > 0) {
    const f = frameResponse(buf, { closed: true, dechunked: true, headRequest: args.includes("-I") || args.includes("--head") });
    if (f === "incomplete" || "error" in f) t.fail({ ...fail, received: `curl printed something that is not an HTTP response: ${visible(buf.subarray(0, 200))}` });
    responses.push(f.response);
    buf = buf.subarray(f.used);
  }
  return { code: r.code, responses, trace };
}

/** Fails unless the response has this status code. */
export function expectStatus(r: HttpResponse, status: number, details: Omit<FailureDetails, "expected" | "received">): void {
  if (r.status !== status) throw new StageFailure({ ...details, expected: `status ${status}`, received: `status ${r.status} (${r.statusLine})` });
}

/** Fails unless the response's body is `body`. */
export function expectBody(r: HttpResponse, body: string | Buffer, details: Omit<FailureDetails, "expected" | "received">): void {
  const want = typeof body === "string" ? Buffer.from(body) : body;
  if (!r.body.equals(want)) throw new StageFailure({ ...details, expected: visible(want), received: visible(r.body) });
}

/** Fails unless the response has header `name` with a value matching `want` (a string compares exactly). */
export function expectHeader(r: HttpResponse, name: string, want: string | RegExp, details: Omit<FailureDetails, "expected" | "received">): void {
  const got = header(r, name);
  const ok = got !== undefined && (typeof want === "string" ? got === want : want.test(got));
  if (!ok) throw new StageFailure({ ...details, expected: `${name}: ${String(want)}`, received: got === undefined ? `(no ${name} header)` : `${name}: ${got}` });
}

/**
 * Sends `request` with nc (netcat-openbsd) — `printf '…' | nc -N -w 2 host port` —
 * and returns every byte the server sent until it closed (or went idle for 2 s).
 */
export async function ncExchange(t: CaseContext, server: Program, request: string): Promise<string> {
  const argv = ["nc", "-N", "-w", "2", server.host, String(server.port)];
  const display = `printf '${visible(request).replaceAll("'", "'\\''").replaceAll("%", "%%")}' | nc -N -w 2 ${server.host} ${server.port}`;
  const r = await t.client(NC_PACKAGE, argv, { stdin: request, display, timeoutMs: 5000, quietStderr: true });
  return r.stdout;
}

/**
 * Starts the server with its --directory ({dir}/files, per challenge.yaml)
 * created and holding `files` (paths relative to it, sub-folders created).
 */
export async function startWithFiles(t: CaseContext, files: Record<string, string | Uint8Array> = {}, start: StartOptions = {}): Promise<{ server: Program; dir: string }> {
  const dir = join(t.dir, "files");
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return { server: await t.start(start), dir };
}

/** One request on a fresh raw connection (closed after), its response read whole. */
export async function exchange(t: CaseContext, server: Program, request: string, fail: FailureDetails, o: ReadOptions = {}): Promise<HttpResponse> {
  const conn = await HttpConnection.open(t, server);
  try {
    await conn.send(request);
    return await conn.response(fail, o);
  } finally {
    conn.close();
  }
}
