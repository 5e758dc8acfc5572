/**
 * Requests to upstream servers over HTTP/1.1 on node:net sockets, with a
 * pool of idle keep-alive connections per upstream address (RFC 9112 §9.3):
 * a connection goes back to the pool after a complete response unless either
 * side asked to close it.
 */
import net from "node:net";

export interface UpstreamResponse {
  status: number;
  reason: string;
  headers: [string, string][];
  body: Buffer;
}

/** Why no response came: "connect" (refused), "closed" (closed or reset before a whole response), "timeout". */
export class UpstreamError extends Error {
  constructor(
    readonly kind: "connect" | "closed" | "timeout",
    message: string,
    /** Nothing was received on a reused connection: safe to retry on a fresh one. */
    readonly staleReuse = false,
  ) {
    super(message);
  }
}

interface PooledConnection {
  socket: net.Socket;
  buffer: Buffer;
  closed: boolean;
  onData?: () => void;
}

type Parsed = { response: UpstreamResponse; used: number; close: boolean } | "incomplete" | "bad";

const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function fieldValue(headers: [string, string][], name: string): string | undefined {
  const v = headers.filter(([n]) => n.toLowerCase() === name).map(([, x]) => x);
  return v.length ? v.join(", ") : undefined;
}

/** Frames the response at the start of `buf` (RFC 9112 §6.3); `ended`: the upstream closed, so a body without length ends here. */
function parseResponse(buf: Buffer, head: boolean, ended: boolean): Parsed {
  for (;;) {
    const end = buf.indexOf("\r\n\r\n");
    if (end < 0) return "incomplete";
    const lines = buf.subarray(0, end).toString("latin1").split("\r\n");
    const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines.shift() ?? "");
    if (!m) return "bad";
    const status = Number(m[2]);
    const headers: [string, string][] = [];
    for (const line of lines) {
      const i = line.indexOf(":");
      // RFC 9110 §5.1: a field name is a token (no NUL, spaces or other controls).
      if (i <= 0 || !FIELD_NAME.test(line.slice(0, i))) return "bad";
      headers.push([line.slice(0, i), line.slice(i + 1).trim()]);
    }
    const start = end + 4;
    // 1xx interim responses (100 Continue): skip them (RFC 9110 §15.2).
    if (status < 200) {
      buf = buf.subarray(start);
      continue;
    }
    const tokens = (fieldValue(headers, "connection") ?? "").toLowerCase().split(",").map((s) => s.trim());
    const close = tokens.includes("close") || m[1] === "0";
    const done = (body: Buffer, used: number, closeAfter = close): Parsed => ({ response: { status, reason: m[3] ?? "", headers, body: Buffer.from(body) }, used, close: closeAfter });
    if (head || status === 204 || status === 304) return done(Buffer.alloc(0), start);
    const te = fieldValue(headers, "transfer-encoding");
    if (te !== undefined && /chunked/i.test(te)) {
      const pieces: Buffer[] = [];
      let at = start;
      for (;;) {
        const eol = buf.indexOf("\r\n", at);
        if (eol < 0) return "incomplete";
        const size = parseInt(buf.subarray(at, eol).toString("latin1").split(";")[0]!.trim(), 16);
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
        if (empty) return done(Buffer.concat(pieces), at);
      }
    }
    const cl = fieldValue(headers, "content-length");
    if (cl !== undefined) {
      if (!/^\d+$/.test(cl)) return "bad";
      if (buf.length - start < Number(cl)) return "incomplete";
      return done(buf.subarray(start, start + Number(cl)), start + Number(cl));
    }
    if (!ended) return "incomplete";
    return done(buf.subarray(start), buf.length, true);
  }
}

export interface PoolOptions {
  /** Fixture switch: a new connection for every request, closed after it. */
  noPooling?: boolean;
  /** Fixture switch: a connection goes back to the pool as soon as its request is written (before the response). */
  pipelineToUpstream?: boolean;
  /** Fixture switch: an upstream answer that is not HTTP is waited on (until the timeout) instead of answered 502. */
  badResponseWaits?: boolean;
  /** Fixture switch: a pooled connection the upstream closed stays in the pool and is used again (and not retried). */
  staleConnectionsReused?: boolean;
  /** Fixture switch: an upstream that closes before a whole response is waited on (until the timeout, 504) instead of answered 502. */
  closedWaits?: boolean;
  /** Fixture switch: a reused connection that closes before any response byte is answered 502, without a retry on a fresh connection. */
  noStaleRetry?: boolean;
  /** Fixture switch: a connection whose response timed out goes back to the pool instead of being closed. */
  timedOutPooled?: boolean;
}

export class UpstreamPool {
  private idle = new Map<string, PooledConnection[]>();

  constructor(private readonly o: PoolOptions = {}) {}

  private connect(address: string, timeoutMs: number): Promise<PooledConnection> {
    const colon = address.lastIndexOf(":");
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: address.slice(0, colon), port: Number(address.slice(colon + 1)) });
      const c: PooledConnection = { socket, buffer: Buffer.alloc(0), closed: false };
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new UpstreamError("timeout", `connecting to ${address} took over ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve(c);
      });
      socket.on("error", (e) => {
        clearTimeout(timer);
        c.closed = true;
        reject(new UpstreamError("connect", `${address}: ${e.message}`));
      });
      socket.on("data", (d: Buffer) => {
        c.buffer = Buffer.concat([c.buffer, d]);
        c.onData?.();
      });
      const gone = () => {
        c.closed = true;
        c.onData?.();
        if (!this.o.staleConnectionsReused) this.forget(address, c);
      };
      socket.on("end", gone);
      socket.on("close", gone);
    });
  }

  private forget(address: string, c: PooledConnection): void {
    const list = this.idle.get(address);
    if (list) this.idle.set(address, list.filter((x) => x !== c));
  }

  /** An idle pooled connection to `address`, or a new one. */
  private async acquire(address: string, timeoutMs: number): Promise<{ conn: PooledConnection; reused: boolean }> {
    const list = this.idle.get(address) ?? [];
    while (list.length > 0) {
      const conn = list.pop()!;
      if ((!conn.closed || this.o.staleConnectionsReused) && conn.buffer.length === 0) return { conn, reused: true };
      conn.socket.destroy();
    }
    return { conn: await this.connect(address, timeoutMs), reused: false };
  }

  /** Sends `request` (its bytes) to `address` and reads one whole response within `timeoutMs`; retries once on a fresh connection if a reused one turns out closed. */
  async send(address: string, request: (close: boolean) => Buffer, head: boolean, timeoutMs: number): Promise<UpstreamResponse> {
    try {
      return await this.once(address, request, head, timeoutMs);
    } catch (e) {
      if (e instanceof UpstreamError && e.staleReuse && !this.o.staleConnectionsReused && !this.o.noStaleRetry) return this.once(address, request, head, timeoutMs, { fresh: true, close: !!this.o.noPooling });
      throw e;
    }
  }

  /** One request on a fresh connection, closed after (health checks). */
  probe(address: string, request: (close: boolean) => Buffer, timeoutMs: number): Promise<UpstreamResponse> {
    return this.once(address, request, false, timeoutMs, { fresh: true, close: true });
  }

  private async once(address: string, request: (close: boolean) => Buffer, head: boolean, timeoutMs: number, o: { fresh?: boolean; close?: boolean } = {}): Promise<UpstreamResponse> {
    const deadline = Date.now() + timeoutMs;
    const close = o.close ?? !!this.o.noPooling;
    const { conn, reused } = o.fresh || close ? { conn: await this.connect(address, timeoutMs), reused: false } : await this.acquire(address, timeoutMs);
    conn.socket.write(request(close));
    if (this.o.pipelineToUpstream && !close) this.idle.set(address, [...(this.idle.get(address) ?? []), conn]);
    return new Promise<UpstreamResponse>((resolve, reject) => {
      const finish = (err?: UpstreamError, res?: UpstreamResponse, keep = false) => {
        clearTimeout(timer);
        conn.onData = undefined;
        if (err) {
          if (this.o.timedOutPooled && err.kind === "timeout" && !conn.closed) this.idle.set(address, [...(this.idle.get(address) ?? []), conn]);
          else conn.socket.destroy();
          return reject(err);
        }
        if (keep) {
          const list = this.idle.get(address) ?? [];
          if (!list.includes(conn)) list.push(conn);
          this.idle.set(address, list);
        } else conn.socket.destroy();
        resolve(res!);
      };
      const timer = setTimeout(() => finish(new UpstreamError("timeout", `${address} sent no complete response within ${timeoutMs} ms`)), Math.max(1, deadline - Date.now()));
      conn.onData = () => {
        const p = parseResponse(conn.buffer, head, conn.closed);
        if (p === "bad" && !this.o.badResponseWaits) return finish(new UpstreamError("closed", `${address} sent something that is not an HTTP response`));
        if (p === "incomplete" || p === "bad") {
          if (conn.closed && !this.o.closedWaits) finish(new UpstreamError("closed", `${address} closed the connection before a whole response`, reused && conn.buffer.length === 0));
          return;
        }
        conn.buffer = conn.buffer.subarray(p.used);
        finish(undefined, p.response, !p.close && !close && !conn.closed && conn.buffer.length === 0);
      };
      if (conn.closed || conn.buffer.length > 0) conn.onData();
    });
  }

  /** Closes every idle connection. */
  close(): void {
    for (const list of this.idle.values()) for (const c of list) c.socket.destroy();
    this.idle.clear();
  }
}
