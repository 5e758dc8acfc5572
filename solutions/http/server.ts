/**
 * The connection loop on raw TCP sockets (Bun.listen): bytes in, requests
 * parsed in order, responses written in the same order, the connection kept
 * open between requests unless the client asks to close it. A connection
 * that starts with the HTTP/2 preface is handed to h2/connection.ts instead.
 */
import type { Socket, SocketHandler } from "bun";
import { readFileSync } from "node:fs";
import { ParseError, parseRequest, type ParseOptions, type Request } from "./request.ts";
import { chunk, serialize, serializeParts, text, type Response } from "./response.ts";
import { route, type RouteOptions } from "./routes.ts";
import { H2Connection, type H2Options } from "./h2/connection.ts";
import { PREFACE } from "./h2/frames.ts";
import { handshake, wantsWebSocket, WsConnection, type WsOptions } from "./websocket.ts";
import type { Proxy } from "./proxy/proxy.ts";
import { flushLog, log } from "./log.ts";

export interface ServerOptions extends RouteOptions, ParseOptions, Omit<H2Options, "route">, WsOptions {
  port: number;
  /** Fixture switch: close the connection after every response. */
  noKeepAlive?: boolean;
  /** Fixture switch: HTTP/1.0 connections stay open like HTTP/1.1 ones. */
  http10KeepsOpen?: boolean;
  /** Fixture switch: recognise the close token only in lowercase. */
  closeLowercaseOnly?: boolean;
  /** Fixture switch: an HTTP/1.0 request's keep-alive token recognised only in lowercase (`Keep-Alive` closes). */
  http10KeepAliveLowercaseOnly?: boolean;
  /** Fixture switch: chunk sizes written in decimal, not hexadecimal. */
  chunkSizeDecimal?: boolean;
  /** Fixture switch: answer the first request of each read, drop the rest. */
  firstRequestOnly?: boolean;
  /** Fixture switch: added to every Content-Length. */
  lengthSkew?: number;
  /** Fixture switch: after a 400/413/431, keep the connection open. */
  keepOpenAfterError?: boolean;
  /** Fixture switch: a stream's pieces go out at once, without waiting between them. */
  streamAtOnce?: boolean;
  /** Fixture switch: a chunked stream ends without its last chunk (0). */
  noLastChunk?: boolean;
  /** Fixture switch: a stream is chunked for HTTP/1.0 clients too. */
  http10Chunked?: boolean;
  /** Fixture switch: the connection is closed after every stream. */
  closeAfterStream?: boolean;
  /** Fixture switch: Connection: close is not honoured (the connection stays open). */
  closeIgnored?: boolean;
  /** Fixture switch: an HTTP/1.0 connection closes after its response even with Connection: keep-alive. */
  http10KeepAliveIgnored?: boolean;
  /** Fixture switch: the bytes of a request that has not fully arrived in one read are dropped. */
  partialRequestDropped?: boolean;
  /** Fixture switch: while one connection holds part of a request, the other connections' bytes wait (one client at a time). */
  oneClientAtATime?: boolean;
  /** Fixture switch: the server exits after answering a request it cannot parse. */
  exitOnBadRequest?: boolean;
  /** Fixture switch: after a 414, keep the connection open (and drop what was buffered). */
  openAfter414?: boolean;
  /** Fixture switch: a chunked stream also carries Content-Length. */
  chunkedWithLength?: boolean;
  /** Fixture switch: a stream to an HTTP/1.0 client carries Content-Length. */
  http10StreamWithLength?: boolean;
  /** Fixture switch: a connection is HTTP/2 when its first 16 octets are the preface's first line. */
  prefaceFirstLineOnly?: boolean;
  /** Fixture switch: decide HTTP/2 or HTTP/1.1 on the first read, even when it holds less than the 24-octet preface. */
  prefaceInOneRead?: boolean;
  /** Fixture switch: a connection that does not start with the HTTP/2 preface is closed (HTTP/2 only). */
  http1Refused?: boolean;
  /** Fixture switch: the octets held while they could still be the preface are dropped when HTTP/1.1 is decided. */
  sniffedBytesDropped?: boolean;
  /** Fixture switch: no Content-Length on a 206. */
  no206Length?: boolean;
  /** Fixture switch: header lines end with \n alone. */
  bareLf?: boolean;
  /** HTTPS too: --tls-port, --cert, --key (PEM files). */
  tls?: { port: number; cert: string; key: string };
  /** Fixture switch: no TLS on the TLS port (plain HTTP there). */
  tlsPlaintext?: boolean;
  /** Fixture switch: the TLS port presents this certificate and key (PEM) instead of the files from --cert and --key. */
  tlsOtherCertificate?: { cert: string; key: string };
  /** Fixture switch: ALPN offers http/1.1 before h2. */
  alpnHttp11First?: boolean;
  /** Fixture switch: TLS without ALPN. */
  noAlpn?: boolean;
  /** Fixture switch: ALPN offers h2 only. */
  alpnH2Only?: boolean;
  /** Fixture switch: the plain port speaks TLS too. */
  tlsOnPlainPort?: boolean;
  /** Fixture switch: connections on the TLS port are HTTP/1.1 whatever ALPN chose. */
  tlsHttp1Only?: boolean;
  /** --proxy <config>: requests matching a route go to upstreams (proxy/). */
  proxy?: Proxy;
}

interface Connection {
  buffer: Buffer;
  /** Bytes waiting for the socket to drain (or for the read being answered to end: see `corked`). */
  outbox: Buffer[];
  /** While a read is being answered, responses gather in the outbox and go out in one write at its end. */
  corked: boolean;
  /** Responses queued behind one that is not sent yet (a stream, a proxied request): later ones wait their turn. */
  queued: number;
  /** No more requests are read: the last response is queued. */
  closing: boolean;
  /** End the connection once the outbox is empty. */
  ending: boolean;
  /** The client has gone. */
  gone: boolean;
  /** Responses go out one after another, in request order, even when one takes time (a stream). */
  chain: Promise<void>;
  /** The first bytes were not the HTTP/2 preface: this connection speaks HTTP/1.1. */
  http1: boolean;
  /** Fixture switch sniffedBytesDropped: how many octets were held while they could still be the preface. */
  sniffed?: number;
  /** The first bytes were the HTTP/2 preface (RFC 9113 §3.4): HTTP/2 with prior knowledge. */
  h2?: H2Connection;
  /** After a WebSocket handshake (RFC 6455 §4): frames, no more HTTP. */
  ws?: WsConnection;
  /** Fixture switch exitOnBadRequest: exit when this connection closes. */
  exitWhenClosed?: boolean;
}

/** RFC 9112 §9.3: HTTP/1.1 keeps the connection open unless "close"; HTTP/1.0 closes unless "keep-alive". */
function wantsClose(req: Request, o: ServerOptions): boolean {
  const value = req.headers.get("connection") ?? "";
  const tokens = (o.closeLowercaseOnly ? value : value.toLowerCase()).split(",").map((s) => s.trim());
  if (tokens.includes("close") && !o.closeIgnored) return true;
  const keepAlive = o.http10KeepAliveLowercaseOnly ? value.split(",").map((s) => s.trim()).includes("keep-alive") : tokens.includes("keep-alive");
  return req.version === "HTTP/1.0" && (!keepAlive || !!o.http10KeepAliveIgnored) && !o.http10KeepsOpen;
}

/** Pieces smaller than this that wait together are joined into one write. */
const COALESCE = 256 * 1024;

function flush(socket: Socket<Connection>): void {
  const c = socket.data;
  if (c.corked) return;
  while (c.outbox.length > 0) {
    let chunk = c.outbox[0]!;
    if (c.outbox.length > 1 && chunk.length < COALESCE) {
      let n = 0;
      let total = 0;
      while (n < c.outbox.length && total + c.outbox[n]!.length <= COALESCE) total += c.outbox[n++]!.length;
      if (n > 1) {
        chunk = Buffer.concat(c.outbox.slice(0, n), total);
        c.outbox.splice(0, n, chunk);
      }
    }
    const n = socket.write(chunk);
    if (n < chunk.length) {
      c.outbox[0] = chunk.subarray(Math.max(n, 0));
      return; // drain() calls again
    }
    c.outbox.shift();
  }
  if (c.ending) socket.end();
}

function send(socket: Socket<Connection>, bytes: Buffer): void {
  socket.data.outbox.push(bytes);
  flush(socket);
}

/** Runs a response's task now when nothing is waiting before it, else queues it behind those before it. */
function enqueue(socket: Socket<Connection>, task: () => void | Promise<void>): void {
  const c = socket.data;
  const failed = (e: unknown) => log(`response failed: ${(e as Error).message}`);
  const done = () => void c.queued--;
  if (c.queued === 0) {
    let result;
    try {
      result = task();
    } catch (e) {
      return failed(e);
    }
    if (!(result instanceof Promise)) return;
    c.queued++;
    c.chain = result.catch(failed).finally(done);
    return;
  }
  c.queued++;
  c.chain = c.chain.then(task).catch(failed).finally(done);
}

/** Sends a stream's pieces as they come: chunks to HTTP/1.1, plain bytes up to the close to HTTP/1.0. */
async function sendStream(socket: Socket<Connection>, res: Response, chunked: boolean, o: ServerOptions): Promise<void> {
  for (const piece of res.stream?.pieces ?? []) {
    if (!o.streamAtOnce) await Bun.sleep(res.stream?.intervalMs ?? 0);
    if (socket.data.gone) return;
    send(socket, chunked ? chunk(piece, o.chunkSizeDecimal) : Buffer.from(piece));
  }
  if (chunked && !o.noLastChunk) send(socket, chunk(new Uint8Array(0)));
}

/** A proxied request: its response comes later, in its turn among the connection's responses. */
function respondLater(socket: Socket<Connection>, req: Request, pending: Promise<Response>, o: ServerOptions): void {
  const close = wantsClose(req, o) || !!o.noKeepAlive;
  socket.data.closing = close;
  pending.catch(() => {});
  enqueue(socket, async () => {
    let res: Response;
    try {
      res = await pending;
    } catch (e) {
      log(`500: ${(e as Error).message}`);
      res = text(500, "Internal Server Error\n");
    }
    send(socket, serialize(res, { head: req.method === "HEAD", close, lengthSkew: o.lengthSkew }));
  });
  if (close) enqueue(socket, () => endAfterFlush(socket));
}

function respond(socket: Socket<Connection>, req: Request, res: Response, o: ServerOptions): void {
  const streaming = res.stream !== undefined && req.method !== "HEAD";
  // RFC 9112 §7.1: never chunked to an HTTP/1.0 client; such a body ends with the connection.
  const chunked = req.version === "HTTP/1.1" || !!o.http10Chunked;
  const close = wantsClose(req, o) || !!o.noKeepAlive || (streaming && (!chunked || !!o.closeAfterStream));
  socket.data.closing = close;
  const withLength = chunked ? o.chunkedWithLength : o.http10StreamWithLength;
  const streamLength = res.stream && withLength ? res.stream.pieces.reduce((n, p) => n + p.length, 0) : undefined;
  enqueue(socket, () => {
    // The head and a large body go out as they are, not copied into one buffer (flush joins small pieces).
    for (const part of serializeParts(res, { head: req.method === "HEAD", close, lengthSkew: o.lengthSkew, chunked, bareLf: o.bareLf, streamLength, no206Length: o.no206Length, statusVersion: req.statusVersion })) send(socket, part);
    if (streaming) return sendStream(socket, res, chunked, o);
  });
  if (close) enqueue(socket, () => endAfterFlush(socket));
}

function endAfterFlush(socket: Socket<Connection>): void {
  socket.data.ending = true;
  flush(socket);
}

/** Answers every complete request in the buffer, in order. */
function serve(socket: Socket<Connection>, o: ServerOptions): void {
  const c = socket.data;
  while (!c.closing) {
    let parsed;
    try {
      parsed = parseRequest(c.buffer, o);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      log(`${e.status}: ${e.message}`);
      if (o.keepOpenAfterError || (o.openAfter414 && e.status === 414)) {
        // Fixture switch: answer the error, drop what was buffered, and go on reading.
        c.buffer = Buffer.alloc(0);
        const res = serialize(text(e.status, `${e.message}\n`));
        enqueue(socket, () => send(socket, res));
        return;
      }
      c.closing = true;
      const res = serialize(text(e.status, `${e.message}\n`), { close: true });
      enqueue(socket, () => send(socket, res));
      enqueue(socket, () => endAfterFlush(socket));
      // Fixture switch: once this connection is closed, the whole server goes.
      if (o.exitOnBadRequest) c.exitWhenClosed = true;
      return;
    }
    if (parsed === "incomplete") {
      if (o.partialRequestDropped) c.buffer = Buffer.alloc(0);
      // Fixture switch oneClientAtATime: this connection holds the server until its request is whole.
      if (o.oneClientAtATime && c.buffer.length > 0) busy = socket;
      return;
    }
    if (busy === socket) release();
    const { request, used } = parsed;
    c.buffer = o.firstRequestOnly ? Buffer.alloc(0) : c.buffer.subarray(used);
    if (wantsWebSocket(request, o) && upgrade(socket, request, o)) return;
    const proxyRoute = o.proxy?.match(request);
    if (o.proxy && proxyRoute) {
      respondLater(socket, request, o.proxy.forward(request, proxyRoute, socket.remoteAddress), o);
      continue;
    }
    let res;
    try {
      res = route(request, o);
    } catch (e) {
      log(`500: ${(e as Error).message}`);
      res = text(500, "Internal Server Error\n");
    }
    log(`${request.method} ${request.target} -> ${res.status}`);
    respond(socket, request, res, o);
  }
}

/**
 * RFC 6455 §4.2: a request to upgrade to WebSocket. Returns true when the
 * connection switched (101 queued behind earlier responses; what follows is
 * frames); false when the handshake was refused with an HTTP error.
 */
function upgrade(socket: Socket<Connection>, request: Request, o: ServerOptions): boolean {
  const c = socket.data;
  const hs = handshake(request, request.target.split("?")[0]!, o);
  log(`${request.method} ${request.target} -> ${hs.response.status} (WebSocket)`);
  if (!hs.ok) {
    respond(socket, request, hs.response, o);
    return false;
  }
  c.closing = true;
  const res = serialize(hs.response);
  enqueue(socket, () => send(socket, res));
  const rest = c.buffer;
  c.buffer = Buffer.alloc(0);
  // Frames go out behind the 101 (and any response before it), in order.
  c.ws = new WsConnection((bytes) => enqueue(socket, () => send(socket, bytes)), () => enqueue(socket, () => endAfterFlush(socket)), o, log);
  if (rest.length > 0) c.ws.feed(rest);
  return true;
}

/**
 * One port for both protocols: a connection that starts with the 24-octet
 * HTTP/2 preface (RFC 9113 §3.4, prior knowledge) is handed to HTTP/2; any
 * other first bytes mean HTTP/1.1. Returns true while the connection is (or
 * may still turn out to be) HTTP/2.
 */
function startHttp2(socket: Socket<Connection>, o: ServerOptions): boolean {
  const c = socket.data;
  // Fixture switch: only the preface's first line ("PRI * HTTP/2.0\r\n", 16 octets) is compared.
  const n = Math.min(c.buffer.length, o.prefaceFirstLineOnly ? 16 : PREFACE.length);
  if (!c.buffer.subarray(0, n).equals(PREFACE.subarray(0, n)) || (o.prefaceInOneRead && n < PREFACE.length)) {
    if (o.http1Refused) {
      c.closing = true;
      socket.end();
      return true;
    }
    c.http1 = true;
    if (o.sniffedBytesDropped && c.sniffed) c.buffer = c.buffer.subarray(c.sniffed);
    return false;
  }
  if (c.buffer.length < PREFACE.length) {
    c.sniffed = c.buffer.length;
    return true;
  }
  if (o.prefaceFirstLineOnly) c.buffer = Buffer.concat([PREFACE, c.buffer.subarray(PREFACE.length)]);
  const rest = c.buffer.subarray(PREFACE.length);
  c.buffer = Buffer.alloc(0);
  c.h2 = new H2Connection((bytes) => send(socket, bytes), () => endAfterFlush(socket), { ...o, route: (req) => route(req, o) }, log);
  c.h2.feed(rest);
  return true;
}

/** Fixture switch oneClientAtATime: the connection holding part of a request, and the others' reads waiting for it. */
let busy: Socket<Connection> | undefined;
const waiting: (() => void)[] = [];
function release(): void {
  busy = undefined;
  while (waiting.length > 0 && busy === undefined) waiting.shift()!();
}

/** What one read brought: to HTTP/2, WebSocket, or the HTTP/1.1 parser. */
function read(socket: Socket<Connection>, chunk: Buffer, o: ServerOptions): void {
  const c = socket.data;
  if (c.h2) return c.h2.feed(chunk);
  if (c.ws) return c.ws.feed(chunk);
  if (c.closing) return;
  if (o.oneClientAtATime && busy !== undefined && busy !== socket) return void waiting.push(() => read(socket, chunk, o));
  // Each read's bytes are a buffer of their own (the runtime does not reuse it): kept as they are when nothing waits before them.
  c.buffer = c.buffer.length === 0 ? chunk : Buffer.concat([c.buffer, chunk]);
  if (!c.http1 && startHttp2(socket, o)) return;
  serve(socket, o);
}

/** The socket handlers, the same for the plain port and the TLS port. */
function handlers(o: ServerOptions, http1Only = false): SocketHandler<Connection> {
  return {
    open(socket) {
      socket.data = { buffer: Buffer.alloc(0), outbox: [], corked: false, queued: 0, closing: false, ending: false, gone: false, chain: Promise.resolve(), http1: http1Only };
    },
    data(socket, chunk) {
      const c = socket.data;
      // Everything answered from this read goes out in one write, at the end.
      c.corked = true;
      try {
        read(socket, chunk, o);
      } finally {
        c.corked = false;
        flush(socket);
      }
    },
    drain(socket) {
      flush(socket);
    },
    end(socket) {
      if (socket.data.h2 || socket.data.ws) return endAfterFlush(socket);
      if (socket.data.closing) return;
      socket.data.closing = true;
      enqueue(socket, () => endAfterFlush(socket));
    },
    close(socket) {
      socket.data.gone = true;
      if (socket.data.exitWhenClosed) {
        flushLog();
        process.exit(1);
      }
      socket.data.h2?.close();
    },
    error(_socket, e) {
      log(`connection error: ${e.message}`);
    },
  };
}

/** RFC 7301 §3.1: the protocols we offer in ALPN, in wire format (length-prefixed), most preferred first: h2 (RFC 9113 §3.2), then http/1.1. */
const ALPN = Buffer.from("\x02h2\x08http/1.1", "latin1");
/** The same two, in the wrong order (a fixture switch). */
const ALPN_HTTP11_FIRST = Buffer.from("\x08http/1.1\x02h2", "latin1");

export function listen(o: ServerOptions): void {
  // A client that closes its side after sending (nc -N, RFC 9112 §9.6) still gets its responses, then the close.
  const alpn = o.alpnH2Only ? Buffer.from("\x02h2", "latin1") : o.alpnHttp11First ? ALPN_HTTP11_FIRST : ALPN;
  const tls = !o.tls || o.tlsPlaintext ? undefined : { cert: o.tlsOtherCertificate?.cert ?? readFileSync(o.tls.cert), key: o.tlsOtherCertificate?.key ?? readFileSync(o.tls.key), ...(o.noAlpn ? {} : { ALPNProtocols: alpn }) };
  Bun.listen<Connection>({ hostname: "127.0.0.1", port: o.port, allowHalfOpen: true, socket: handlers(o), ...(tls && o.tlsOnPlainPort ? { tls } : {}) });
  log(`listening on 127.0.0.1:${o.port}`);
  if (o.tls) {
    // HTTPS: TLS from the runtime; ALPN picks h2 or http/1.1, and a client that picked h2 starts with the preface as over TCP.
    Bun.listen<Connection>({ hostname: "127.0.0.1", port: o.tls.port, allowHalfOpen: true, socket: handlers(o, !!o.tlsHttp1Only), ...(tls ? { tls } : {}) });
    log(`listening with TLS on 127.0.0.1:${o.tls.port}`);
  }
}
