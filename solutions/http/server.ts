/**
 * The connection loop on raw TCP sockets (Bun.listen): bytes in, requests
 * parsed in order, responses written in the same order, the connection kept
 * open between requests unless the client asks to close it.
 */
import type { Socket } from "bun";
import { ParseError, parseRequest, type ParseOptions, type Request } from "./request.ts";
import { chunk, serialize, text, type Response } from "./response.ts";
import { route, type RouteOptions } from "./routes.ts";

export interface ServerOptions extends RouteOptions, ParseOptions {
  port: number;
  /** Fixture switch: close the connection after every response. */
  noKeepAlive?: boolean;
  /** Fixture switch: answer the first request of each read, drop the rest. */
  firstRequestOnly?: boolean;
  /** Fixture switch: added to every Content-Length. */
  lengthSkew?: number;
}

interface Connection {
  buffer: Buffer;
  /** Bytes waiting for the socket to drain. */
  outbox: Buffer[];
  /** No more requests are read: the last response is queued. */
  closing: boolean;
  /** End the connection once the outbox is empty. */
  ending: boolean;
  /** The client has gone. */
  gone: boolean;
  /** Responses go out one after another, in request order, even when one takes time (a stream). */
  chain: Promise<void>;
}

/** RFC 9112 §9.3: HTTP/1.1 keeps the connection open unless "close"; HTTP/1.0 closes unless "keep-alive". */
function wantsClose(req: Request): boolean {
  const tokens = (req.headers.get("connection") ?? "").toLowerCase().split(",").map((s) => s.trim());
  if (tokens.includes("close")) return true;
  return req.version === "HTTP/1.0" && !tokens.includes("keep-alive");
}

function flush(socket: Socket<Connection>): void {
  const c = socket.data;
  while (c.outbox.length > 0) {
    const chunk = c.outbox[0]!;
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

/** Queues a response behind those before it. */
function enqueue(socket: Socket<Connection>, task: () => void | Promise<void>): void {
  const c = socket.data;
  c.chain = c.chain.then(task).catch((e) => console.log(`response failed: ${(e as Error).message}`));
}

/** Sends a stream's pieces as they come: chunks to HTTP/1.1, plain bytes up to the close to HTTP/1.0. */
async function sendStream(socket: Socket<Connection>, res: Response, chunked: boolean): Promise<void> {
  for (const piece of res.stream?.pieces ?? []) {
    await Bun.sleep(res.stream?.intervalMs ?? 0);
    if (socket.data.gone) return;
    send(socket, chunked ? chunk(piece) : Buffer.from(piece));
  }
  if (chunked) send(socket, chunk(new Uint8Array(0)));
}

function respond(socket: Socket<Connection>, req: Request, res: Response, o: ServerOptions): void {
  const streaming = res.stream !== undefined && req.method !== "HEAD";
  // RFC 9112 §7.1: never chunked to an HTTP/1.0 client; such a body ends with the connection.
  const chunked = req.version === "HTTP/1.1";
  const close = wantsClose(req) || !!o.noKeepAlive || (streaming && !chunked);
  socket.data.closing = close;
  enqueue(socket, async () => {
    send(socket, serialize(res, { head: req.method === "HEAD", close, lengthSkew: o.lengthSkew, chunked }));
    if (streaming) await sendStream(socket, res, chunked);
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
      console.log(`${e.status}: ${e.message}`);
      c.closing = true;
      const res = serialize(text(e.status, `${e.message}\n`), { close: true });
      enqueue(socket, () => send(socket, res));
      enqueue(socket, () => endAfterFlush(socket));
      return;
    }
    if (parsed === "incomplete") return;
    const { request, used } = parsed;
    c.buffer = o.firstRequestOnly ? Buffer.alloc(0) : c.buffer.subarray(used);
    let res;
    try {
      res = route(request, o);
    } catch (e) {
      console.log(`500: ${(e as Error).message}`);
      res = text(500, "Internal Server Error\n");
    }
    console.log(`${request.method} ${request.target} -> ${res.status}`);
    respond(socket, request, res, o);
  }
}

export function listen(o: ServerOptions): void {
  Bun.listen<Connection>({
    hostname: "127.0.0.1",
    port: o.port,
    // A client that closes its side after sending (nc -N, RFC 9112 §9.6) still gets its responses, then the close.
    allowHalfOpen: true,
    socket: {
      open(socket) {
        socket.data = { buffer: Buffer.alloc(0), outbox: [], closing: false, ending: false, gone: false, chain: Promise.resolve() };
      },
      data(socket, chunk) {
        if (socket.data.closing) return;
        socket.data.buffer = Buffer.concat([socket.data.buffer, chunk]);
        serve(socket, o);
      },
      drain(socket) {
        flush(socket);
      },
      end(socket) {
        if (socket.data.closing) return;
        socket.data.closing = true;
        enqueue(socket, () => endAfterFlush(socket));
      },
      close(socket) {
        socket.data.gone = true;
      },
      error(_socket, e) {
        console.log(`connection error: ${e.message}`);
      },
    },
  });
  console.log(`listening on 127.0.0.1:${o.port}`);
}
