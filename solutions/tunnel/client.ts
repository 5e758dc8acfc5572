/**
 * The private side: one connection out to the server, registered with a
 * token for an HTTP name or a TCP port; each stream the server opens becomes
 * a connection to the local service (--to). When the connection is lost the
 * client reconnects with exponential backoff and registers again.
 */
import net from "node:net";
import { FrameType, type Frame } from "./protocol.ts";
import { Session, Stream, type FlowControl } from "./session.ts";

export interface Address {
  host: string;
  port: number;
}

export interface ClientOptions {
  server: Address;
  token: string;
  http?: string;
  /** A TLS tunnel: the server routes TLS connections whose SNI names it here, undecrypted. */
  tls?: string;
  tcp?: number;
  to: Address;
  flowControl?: FlowControl;
  /** Keep-alive PING interval in ms (default 5000); a connection silent for 3 intervals is dead. */
  keepAliveMs?: number;
  /** Mistakes, for fixtures: */
  noHalfClose?: boolean;
  noReconnect?: boolean;
  noBackoff?: boolean;
  /** The backoff is not reset by a successful registration. */
  noBackoffReset?: boolean;
  /** Any refusal ends the client, even "taken" for its own old name while reconnecting. */
  exitWhenTaken?: boolean;
  /** The client keeps a request's bytes until the public side's END, then writes them all (whole-body buffering). */
  bufferRequests?: boolean;
  /** Backoff that doubles for ever, with no longest wait. */
  noBackoffCap?: boolean;
  /** Window grants cut to a quarter window (see SessionOptions.lossyGrants). */
  lossyGrants?: boolean;
  /** Window grants sent as bytes arrive, not once written (see SessionOptions.grantOnArrival). */
  grantOnArrival?: boolean;
  /** A connection is given up after this many silent keep-alive intervals (see SessionOptions.silentIntervals). */
  silentIntervals?: number;
  connectionPerStream?: boolean;
  /** The server's DATA is written to the local service as UTF-8 text (binary uploads mangled). */
  uploadTextDecoding?: boolean;
  /** The client gives up (exits) after this many failed attempts in a row. */
  giveUpAfter?: number;
  /** The ready line is printed as soon as the connection to the server is up, before the server has accepted. */
  readyOnConnect?: boolean;
}

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2000;
const WELCOME_TIMEOUT_MS = 5000;

export function startClient(o: ClientOptions): void {
  let registered = false;
  let attempt = 0;

  function retry(why: string): void {
    if (o.noReconnect && registered) {
      console.error(`tunnel: ${why}; exiting`);
      process.exit(1);
    }
    if (o.giveUpAfter !== undefined && attempt >= o.giveUpAfter) {
      console.error(`tunnel: ${why}; giving up after ${attempt} attempts`);
      process.exit(1);
    }
    // Exponential backoff with jitter: 100 ms, 200 ms, 400 ms… capped at 2 s.
    const base = Math.min(o.noBackoffCap ? Infinity : MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempt++);
    const delay = o.noBackoff ? 0 : Math.round(base * (0.8 + 0.4 * Math.random()));
    console.error(`tunnel: ${why}; reconnecting in ${delay} ms`);
    setTimeout(connect, delay);
  }

  function connect(): void {
    const sock = net.connect({ host: o.server.host, port: o.server.port });
    let welcomed = false;
    let failed: string | null = null;
    const timer = setTimeout(() => session.close(), WELCOME_TIMEOUT_MS);
    const session = new Session(sock, {
      flowControl: o.flowControl,
      keepAliveMs: o.keepAliveMs,
      noHalfClose: o.noHalfClose,
      lossyGrants: o.lossyGrants,
        grantOnArrival: o.grantOnArrival,
        silentIntervals: o.silentIntervals,
      onControl: (f: Frame) => {
        if (f.type !== FrameType.Welcome || welcomed) return;
        welcomed = true;
        clearTimeout(timer);
        const reply = JSON.parse(f.payload.toString("utf8")) as { ok: boolean; url?: string; error?: string };
        if (reply.ok) {
          const first = !registered;
          registered = true;
          if (!o.noBackoffReset) attempt = 0;
          if (!(o.readyOnConnect && first)) console.log(`tunnel ready: ${reply.url}`);
          return;
        }
        failed = reply.error ?? "registration refused";
        // Refused at the first attempt, or for the token: say why and stop. A name
        // still held by our own lost connection frees up soon: retry.
        if (!registered || /token/.test(failed) || o.exitWhenTaken) {
          console.error(`tunnel: registration refused: ${failed}`);
          process.exit(1);
        }
        session.close();
      },
      onOpen: (id) => openLocal(session, id),
      onClose: () => {
        clearTimeout(timer);
        retry(failed ? `registration refused (${failed})` : welcomed ? "connection to the server lost" : `cannot reach the server at ${o.server.host}:${o.server.port}`);
      },
    });
    sock.on("connect", () => {
      if (o.readyOnConnect && !registered) console.log(`tunnel ready: connected to ${o.server.host}:${o.server.port}`);
    });
    sock.on("connect", () => session.send(FrameType.Hello, 0, Buffer.from(JSON.stringify({ token: o.token, http: o.http, tls: o.tls, tcp: o.tcp }))));
  }

  function openLocal(session: Session, id: number): void {
    const local = net.connect({ host: o.to.host, port: o.to.port, allowHalfOpen: true });
    // Mistake (fixture): a connection to the server per stream instead of streams on the one connection.
    const extra = o.connectionPerStream ? net.connect({ host: o.server.host, port: o.server.port }).on("error", () => {}) : null;
    const stream = new Stream(session, id, local, {
      onAbort: (_s, _reason) => local.destroy(),
      bufferUntilEnd: o.bufferRequests,
      textDecoding: o.uploadTextDecoding,
      onDone: () => extra?.destroy(),
    });
    local.on("connect", () => local.setNoDelay(true));
    // A refused local connection emits "error": the stream is reset and the server answers 502.
    stream.attach();
  }

  connect();
}
