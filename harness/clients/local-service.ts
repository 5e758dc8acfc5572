/**
 * Local services the test plays behind a tunnel client (the program under
 * test forwards to them): an HTTP/1.1 origin whose handler sees each request
 * as soon as its header section arrives (the body keeps streaming in) and
 * answers at its own pace, and a raw TCP service. Both listen on a loopback
 * port claimed for the case and stop when it ends.
 */
import { createCipheriv, createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import type { CaseContext } from "../stage/context.ts";
import { StreamSocket } from "../../challenges/tunnel/clients/stream-socket.ts";

export class ServiceRequest {
  readonly headers: [string, string][] = [];
  constructor(
    readonly method: string,
    readonly target: string,
    /** The request's raw header section (up to the empty line). */
    readonly head: string,
    readonly conn: StreamSocket,
    /** Where the body starts in the connection's bytes. */
    private readonly bodyStart: number,
  ) {
    for (const line of head.split("\r\n").slice(1)) {
      const i = line.indexOf(":");
      if (i > 0) this.headers.push([line.slice(0, i), line.slice(i + 1).trim()]);
    }
  }

  header(name: string): string | undefined {
    return this.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
  }

  get contentLength(): number {
    return Number(this.header("content-length") ?? 0);
  }

  /** Body bytes received so far. */
  get bodyReceived(): number {
    return Math.max(0, this.conn.received - this.bodyStart);
  }

  body(): Buffer {
    return this.conn.bytes().subarray(this.bodyStart);
  }

  /** Waits (bounded) until `n` body bytes (default: the whole Content-Length) have arrived. */
  async waitBody(timeoutMs: number, n = this.contentLength): Promise<boolean> {
    return this.conn.until(() => this.bodyReceived >= n, timeoutMs);
  }

  /** Sends a complete response (Content-Length, Connection: close) and closes the connection. */
  async reply(status: number, fields: [string, string][], body: Buffer | string): Promise<void> {
    const bytes = typeof body === "string" ? Buffer.from(body) : body;
    await this.conn.write(responseHead(status, [...fields, ["Content-Length", String(bytes.length)]]), false);
    await this.conn.write(bytes, false);
    this.conn.end();
  }
}

const REASONS: Record<number, string> = { 200: "OK", 201: "Created", 202: "Accepted", 426: "Upgrade Required", 404: "Not Found", 500: "Internal Server Error" };

export function responseHead(status: number, fields: [string, string][]): string {
  return `HTTP/1.1 ${status} ${REASONS[status] ?? "Status"}\r\n${[...fields, ["Connection", "close"]].map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n`;
}

export type RequestHandler = (req: ServiceRequest) => void | Promise<void>;

/** An HTTP/1.1 origin: one request per connection, handled by `handler` once its header section is in. */
export class LocalHttpService {
  readonly requests: ServiceRequest[] = [];
  private waiters: (() => void)[] = [];

  private constructor(
    readonly name: string,
    readonly port: number,
  ) {}

  /** With `o.tls` (PEM files), an HTTPS origin: it terminates TLS itself, and a failed handshake is logged. */
  static async start(t: CaseContext, name: string, handler: RequestHandler, o: { tls?: { cert: string; key: string } } = {}): Promise<LocalHttpService> {
    const service = new LocalHttpService(name, await t.port());
    let count = 0;
    const credentials = o.tls && { cert: readFileSync(o.tls.cert), key: readFileSync(o.tls.key) };
    await listenLoopback(t, service.port, credentials, (sock) => {
      const conn = new StreamSocket(t, `${name} connection ${++count}`, sock);
      void conn.until(() => conn.bytes().includes("\r\n\r\n"), 10000).then((ok) => {
        if (!ok) return;
        const all = conn.bytes();
        const end = all.indexOf("\r\n\r\n");
        const head = all.subarray(0, end).toString("latin1");
        const [method = "", target = ""] = head.split(" ");
        const req = new ServiceRequest(method, target, head, conn, end + 4);
        t.log.output(`(${name} received ${method} ${target})`);
        service.requests.push(req);
        service.wake();
        Promise.resolve(handler(req)).catch(() => conn.destroy());
      });
    });
    t.log.output(`(${name}: an ${o.tls ? "HTTPS" : "HTTP"} server the test runs, listening on 127.0.0.1:${service.port})`);
    return service;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits (bounded) until `n` requests have arrived; returns whether they did. */
  async waitRequests(n: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < n) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }
}

/** A raw TCP service: `onConnection` gets each accepted connection (half-open allowed). */
export async function startTcpService(t: CaseContext, name: string, onConnection: (conn: StreamSocket) => void): Promise<number> {
  const port = await t.port();
  let count = 0;
  await listenLoopback(t, port, undefined, (sock) => onConnection(new StreamSocket(t, `${name} connection ${++count}`, sock)));
  t.log.output(`(${name}: a TCP server the test runs, listening on 127.0.0.1:${port})`);
  return port;
}

async function listenLoopback(t: CaseContext, port: number, credentials: { cert: Buffer; key: Buffer } | undefined, onSocket: (s: net.Socket) => void): Promise<void> {
  const server = credentials ? tls.createServer({ ...credentials, allowHalfOpen: true }, onSocket) : net.createServer({ allowHalfOpen: true }, onSocket);
  if (credentials) server.on("tlsClientError", (e: Error) => t.log.output(`(a TLS handshake with the local service failed: ${e.message})`));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  t.defer(() => server.close());
}

/** `n` bytes that look random, derived from `seed` (AES-128-CTR keystream), for large bodies a replay reproduces. */
export function bulkBytes(seed: string, n: number): Buffer {
  const key = createHash("sha256").update(seed).digest().subarray(0, 16);
  return createCipheriv("aes-128-ctr", key, Buffer.alloc(16)).update(Buffer.alloc(n));
}

export function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
