/**
 * The public side: tunnel clients connect to --control-port and register an
 * HTTP name (routed by the Host header on --http-port) or a TCP port (one of
 * --tcp-ports). Each public connection becomes a stream on its client's one
 * connection.
 */
import { readFileSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { TokenBucket } from "./bandwidth.ts";
import { FrameType, type Frame } from "./protocol.ts";
import { Session, Stream, type FlowControl } from "./session.ts";
import { readSni, UNRECOGNIZED_NAME_ALERT } from "./sni.ts";

export interface ServerOptions {
  controlPort: number;
  httpPort?: number;
  /** HTTPS terminated here (node:tls), then routed like --http-port: needs cert and key (PEM files). */
  httpsPort?: number;
  cert?: string;
  key?: string;
  tcpPorts: number[];
  /** TLS tunnels: connections here are routed by the ClientHello's server name (SNI) and passed through, never decrypted. */
  tlsPort?: number;
  token: string;
  host?: string;
  flowControl?: FlowControl;
  /** Keep-alive PING interval in ms (default 5000); a connection silent for 3 intervals is dead. */
  keepAliveMs?: number;
  /** Public connections one tunnel may have open at once; more are refused (HTTP: 503). */
  maxStreams?: number;
  /** A public connection with no bytes either way for this long is closed. */
  idleTimeoutMs?: number;
  /** Bytes per second one tunnel may carry, both directions together (a token bucket per tunnel, one second's worth deep). */
  maxBytesPerSec?: number;
  /** Mistakes, for fixtures: */
  noHalfClose?: boolean;
  ignoreToken?: boolean;
  plainOnHttpsPort?: boolean;
  stripHopByHop?: boolean;
  routeByWholeHost?: boolean;
  /** The request's header section is forwarded lower-cased (as it was read to find the Host). */
  lowercaseHead?: boolean;
  /** The Host's name is compared as it is, not lower-cased. */
  caseSensitiveHost?: boolean;
  /** A Host no tunnel holds goes to the first HTTP tunnel registered instead of 404. */
  unknownHostToAny?: boolean;
  bufferResponses?: boolean;
  no502?: boolean;
  /** One bucket for the whole server instead of one per tunnel. */
  sharedBandwidth?: boolean;
  /** Each tunnel's bucket starts empty instead of full. */
  bucketStartsEmpty?: boolean;
  /** The bucket keeps filling past one second's worth (no cap). */
  bucketUncapped?: boolean;
  /** Only HTTP tunnels are limited; TCP and TLS tunnels carry bytes at full speed. */
  bucketHttpOnly?: boolean;
  /** The bucket limits only what goes out to public users (downloads), not what they send (uploads). */
  limitDownloadsOnly?: boolean;
  /** --tls-port terminates TLS with --cert/--key and forwards plain bytes, instead of passing TLS through. */
  terminateTlsTunnels?: boolean;
  /** --tls-port ignores the SNI: every connection goes to the first TLS tunnel registered. */
  ignoreSni?: boolean;
  /** --tls-port looks for the SNI in the first bytes read only, never waiting for the rest of the ClientHello. */
  sniFromFirstRead?: boolean;
  /** --tls-port looks for server_name only as the ClientHello's first extension (clients such as BoringSSL permute them). */
  sniFirstExtensionOnly?: boolean;
  /** The idle timer is reset only by bytes from the public user, not by bytes to it. */
  idleReadsOnly?: boolean;
  /** The --max-streams 503 has no Retry-After. */
  noRetryAfter?: boolean;
  /** --max-streams counts only HTTP connections: TCP (and TLS) tunnels take any number. */
  maxStreamsHttpOnly?: boolean;
  /** Bytes to public users are written as UTF-8 text (a mistake: binary bytes are mangled). */
  textDecoding?: boolean;
  /** The unrecognized_name alert is sent as a warning (level 1) instead of fatal. */
  alertAsWarning?: boolean;
  /** A ClientHello without server_name goes to the first TLS tunnel instead of the alert. */
  noSniToFirst?: boolean;
  /** Public connections quiet for half a second are closed, even without --idle-timeout-ms. */
  closeQuietConnections?: boolean;
  /** The --max-streams refusal is sent, and the connection forwarded all the same. */
  forwardRefused?: boolean;
  /** --tls-port compares the SNI's first label as it is, not lower-cased. */
  sniCaseSensitive?: boolean;
  /** A stream that ends abnormally (reset, aborted) never gives its --max-streams slot back. */
  leakAbortedSlots?: boolean;
  /** A second registration of a name in use takes it over instead of being refused. */
  takeTakenNames?: boolean;
  /** Any TCP port may be registered, not only those in --tcp-ports. */
  anyTcpPort?: boolean;
  /** A TCP tunnel's public port stays listening after its client has gone. */
  keepTcpListener?: boolean;
  /** Window grants are cut to a quarter window, dropping the rest of the bytes counted (see SessionOptions.lossyGrants). */
  lossyGrants?: boolean;
  /** Window grants sent as bytes arrive, not once written (see SessionOptions.grantOnArrival). */
  grantOnArrival?: boolean;
  /** A connection is given up after this many silent keep-alive intervals (see SessionOptions.silentIntervals). */
  silentIntervals?: number;
  /** The client's END frames are ignored: a local service's FIN never reaches the public user. */
  ignoreEnd?: boolean;
  /** HTTPS requests go to the first HTTP tunnel registered, whatever their Host. */
  httpsToFirstTunnel?: boolean;
  /** One more mistake of the red-team batch (see TunnelMistake). */
  tunnelMistake?: TunnelMistake;
}

/**
 * Mistakes a learner plausibly makes, one per fixture: the name cut at the first dot before the port is dropped (so
 * `Host: mango:24002` is not `mango`); the Host field found only as `Host:` in that case; the tunnel picked from the
 * first read of a request, not the whole header section; an X-Forwarded-For field added to the forwarded request;
 * every --tcp-ports port listened on from the start; --max-streams counted over the whole server, or letting N+1 in;
 * an idle public connection closed without closing the client's connection to the local service; an idle timeout
 * counted from the connection's start, not from its last byte; a ClientHello read from its first TLS record only; TLS
 * names and HTTP names in one name space; an HTTP name never freed when its client's connection goes; a bucket per
 * stream instead of one per tunnel; one public connection at a time per tunnel, the others waiting unread; the idle
 * timeout applied to TCP (and TLS) tunnels only, not to HTTP ones.
 */
export type TunnelMistake =
  | "host-dot-before-port"
  | "host-field-exact-case"
  | "host-from-first-read"
  | "adds-forwarded-for"
  | "tcp-ports-at-start"
  | "stream-limit-per-server"
  | "stream-limit-off-by-one"
  | "idle-public-side-only"
  | "idle-absolute"
  | "sni-first-record-only"
  | "tls-names-shared"
  | "names-kept-after-loss"
  | "bucket-per-stream"
  | "one-stream-at-a-time"
  | "idle-tcp-only";

/** A header section larger than this is refused with 431 (RFC 6585 §5). */
const MAX_HEADER_BYTES = 64 * 1024;
const IDLE = "idle timeout";
const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

interface Tunnel {
  session: Session;
  nextStream: number;
  listener?: net.Server;
  /** Streams open now (for --max-streams). */
  active: number;
  /** Its bandwidth limit (--max-bytes-per-sec), shared by all its streams, both directions. */
  bucket?: TokenBucket;
  /** The one-stream-at-a-time mistake: public connections waiting for the open one to finish. */
  waiting?: (() => void)[];
}

function httpError(status: string, text: string): string {
  const body = `${text}\n`;
  return `HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** The tunnel name a Host header value selects: its first label, lower-cased (RFC 9110 §4.2.3), without the port (§7.2). */
export function tunnelName(host: string, whole = false): string {
  if (whole) return host;
  const hostname = host.trim().replace(/:\d*$/, "");
  return hostname.split(".")[0]!.toLowerCase();
}

export function startServer(o: ServerOptions): void {
  const host = o.host ?? "127.0.0.1";
  const http = new Map<string, Tunnel>();
  const tcp = new Map<number, Tunnel>();
  const tlsTunnels = o.tunnelMistake === "tls-names-shared" ? http : new Map<string, Tunnel>();
  let shared: TokenBucket | undefined;
  /** Streams open on the whole server (only for the stream-limit-per-server mistake). */
  let serverActive = 0;
  const mistake = o.tunnelMistake;
  if (mistake === "tcp-ports-at-start") {
    for (const port of o.tcpPorts) {
      net
        .createServer({ allowHalfOpen: true }, (sock) => {
          const t = tcp.get(port);
          if (t) openStream(t, sock, "tcp");
          else sock.destroy();
        })
        .listen(port, host);
    }
  }

  /** A new tunnel's bucket: its own, full (RFC 2697 §3: the bucket starts full). */
  function bucket(): TokenBucket | undefined {
    if (o.maxBytesPerSec === undefined) return undefined;
    if (o.sharedBandwidth) return (shared ??= new TokenBucket(o.maxBytesPerSec));
    return new TokenBucket(o.maxBytesPerSec, o.bucketUncapped ? Infinity : o.maxBytesPerSec, o.bucketStartsEmpty ? 0 : o.maxBytesPerSec);
  }

  function openStream(t: Tunnel, sock: net.Socket, kind: "http" | "tcp" | "tls", first?: Buffer): void {
    if (mistake === "one-stream-at-a-time" && t.active > 0) {
      sock.pause();
      (t.waiting ??= []).push(() => openStream(t, sock, kind, first));
      return;
    }
    const open = mistake === "stream-limit-per-server" ? serverActive : mistake === "stream-limit-off-by-one" ? t.active - 1 : t.active;
    if (o.maxStreams !== undefined && open >= o.maxStreams && !(o.maxStreamsHttpOnly && kind !== "http")) {
      // Over the tunnel's limit: refuse this one, keep the others (RFC 9110 §15.6.4).
      const refusal = httpError("503 Service Unavailable", `tunnel: ${o.maxStreams} connections already open`);
      if (kind === "http") sock.end(o.noRetryAfter ? refusal : refusal.replace("\r\n\r\n", "\r\nRetry-After: 1\r\n\r\n"));
      else sock.destroy();
      if (!o.forwardRefused) return;
    }
    t.active++;
    serverActive++;
    const id = t.nextStream++;
    const stream = new Stream(t.session, id, sock, {
      bufferUntilEnd: kind === "http" && o.bufferResponses,
      bucket: o.bucketHttpOnly && kind !== "http" ? undefined : mistake === "bucket-per-stream" ? bucket() : t.bucket,
      textDecoding: o.textDecoding,
      bucketOneWay: o.limitDownloadsOnly,
      onDone: (s) => {
        serverActive--;
        if (!(o.leakAbortedSlots && s.aborted)) t.active--;
        t.waiting?.shift()?.();
      },
      onAbort: (s, reason) => {
        if (kind === "http" && s.delivered === 0 && !sock.destroyed && reason === IDLE) sock.end(httpError("504 Gateway Timeout", `tunnel: ${reason}`));
        else if (kind === "http" && s.delivered === 0 && !sock.destroyed && !o.no502) sock.end(httpError("502 Bad Gateway", `tunnel: ${reason}`));
        else if (!(o.no502 && reason === "tunnel connection lost")) sock.destroy();
      },
    });
    t.session.send(FrameType.Open, id, Buffer.from(JSON.stringify({ kind })));
    if (o.closeQuietConnections && o.idleTimeoutMs === undefined) sock.setTimeout(500, () => stream.abort(IDLE, true));
    stream.attach(first);
    // Nothing read or written on the public connection for that long: close the stream.
    const idleMs = mistake === "idle-tcp-only" && kind === "http" ? undefined : o.idleTimeoutMs;
    if (idleMs !== undefined && mistake === "idle-public-side-only") sock.setTimeout(idleMs, () => stream.abort(IDLE, false));
    else if (idleMs !== undefined && mistake === "idle-absolute") {
      const timer = setTimeout(() => stream.abort(IDLE, true), idleMs);
      sock.on("close", () => clearTimeout(timer));
    } else if (idleMs !== undefined && o.idleReadsOnly) {
      const ms = idleMs;
      const timer = setTimeout(() => stream.abort(IDLE, true), ms);
      sock.on("data", () => timer.refresh());
      sock.on("close", () => clearTimeout(timer));
    } else if (idleMs !== undefined) sock.setTimeout(idleMs, () => stream.abort(IDLE, true));
  }

  // Public HTTP: read the header section, pick the tunnel by Host, then splice the connection.
  function onPublicHttp(sock: net.Socket): void {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      let end = head.indexOf("\r\n\r\n");
      if (end < 0 && mistake === "host-from-first-read") end = head.length;
      if (end < 0) {
        if (head.length > MAX_HEADER_BYTES) sock.end(httpError("431 Request Header Fields Too Large", "header section too large"));
        return;
      }
      sock.removeListener("data", onData);
      sock.pause();
      const lines = head.subarray(0, end).toString("latin1").split("\r\n");
      const hostLine = lines.slice(1).find((l) => (mistake === "host-field-exact-case" ? l.startsWith("Host:") : /^host\s*:/i.test(l)));
      if (!hostLine) {
        sock.end(httpError("400 Bad Request", "no Host header"));
        return;
      }
      const host = hostLine.slice(hostLine.indexOf(":") + 1).trim();
      const name = o.caseSensitiveHost ? host.replace(/:\d*$/, "").split(".")[0]! : mistake === "host-dot-before-port" ? host.split(".")[0]!.toLowerCase() : tunnelName(host, o.routeByWholeHost);
      const t = o.httpsToFirstTunnel && sock instanceof tls.TLSSocket ? [...http.values()][0] : (http.get(name) ?? (o.unknownHostToAny ? [...http.values()][0] : undefined));
      if (!t) {
        sock.end(httpError("404 Not Found", `tunnel ${name} not found`));
        return;
      }
      if (o.stripHopByHop) {
        // Mistake: drops Connection and Upgrade like a proxy, so an upgrade never reaches the local service.
        const kept = lines.filter((l, i) => i === 0 || !/^(connection|upgrade)\s*:/i.test(l));
        head = Buffer.concat([Buffer.from(`${kept.join("\r\n")}`, "latin1"), head.subarray(end)]);
      }
      if (mistake === "adds-forwarded-for") {
        const eol = head.indexOf("\r\n");
        head = Buffer.concat([head.subarray(0, eol + 2), Buffer.from(`X-Forwarded-For: ${sock.remoteAddress ?? "127.0.0.1"}\r\n`, "latin1"), head.subarray(eol + 2)]);
      }
      if (o.lowercaseHead) head = Buffer.concat([Buffer.from(head.subarray(0, end).toString("latin1").toLowerCase(), "latin1"), head.subarray(end)]);
      openStream(t, sock, "http", head);
      sock.resume();
    };
    sock.on("data", onData);
    sock.on("error", () => sock.destroy());
  }

  // Public TLS for TLS tunnels: read the ClientHello (it may come in pieces), route by its server name, then pass every byte on.
  function onPublicTls(sock: net.Socket): void {
    let head = Buffer.alloc(0);
    const refuse = () => sock.end(o.alertAsWarning ? Buffer.from([21, 3, 3, 0, 2, 1, 112]) : UNRECOGNIZED_NAME_ALERT);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const hello = readSni(head, o.sniFirstExtensionOnly, mistake === "sni-first-record-only");
      if (hello.kind === "incomplete" && !o.sniFromFirstRead) return;
      sock.removeListener("data", onData);
      sock.pause();
      if (hello.kind === "not-tls") return void sock.destroy();
      const sni = hello.kind === "hello" ? hello.serverName : undefined;
      const name = o.ignoreSni || (o.noSniToFirst && sni === undefined) ? [...tlsTunnels.keys()][0] : sni === undefined ? undefined : o.sniCaseSensitive ? sni.split(".")[0] : tunnelName(sni);
      const t = name === undefined ? undefined : tlsTunnels.get(name);
      // RFC 6066 §3: a server name the server does not recognize may abort the handshake with unrecognized_name.
      if (!t) return refuse();
      openStream(t, sock, "tls", head);
      sock.resume();
    };
    sock.on("data", onData);
    sock.on("error", () => sock.destroy());
  }

  if (o.tlsPort !== undefined) {
    if (o.terminateTlsTunnels) {
      const creds = { cert: readFileSync(o.cert ?? "cert.pem"), key: readFileSync(o.key ?? "key.pem") };
      tls
        .createServer({ ...creds, allowHalfOpen: true }, (sock) => {
          const t = tlsTunnels.get(tunnelName(sock.servername || ""));
          if (t) openStream(t, sock, "tls");
          else sock.destroy();
        })
        .on("tlsClientError", () => {})
        .listen(o.tlsPort, host);
    } else net.createServer({ allowHalfOpen: true }, onPublicTls).listen(o.tlsPort, host);
  }

  if (o.httpPort !== undefined) net.createServer({ allowHalfOpen: true }, onPublicHttp).listen(o.httpPort, host);
  if (o.httpsPort !== undefined) {
    if (o.plainOnHttpsPort) net.createServer({ allowHalfOpen: true }, onPublicHttp).listen(o.httpsPort, host);
    else {
      const creds = { cert: readFileSync(o.cert ?? "cert.pem"), key: readFileSync(o.key ?? "key.pem") };
      tls.createServer({ ...creds, allowHalfOpen: true }, onPublicHttp).on("tlsClientError", () => {}).listen(o.httpsPort, host);
    }
  }

  function register(session: Session, hello: { token?: unknown; http?: unknown; tcp?: unknown; tls?: unknown }, done: (error: string | null, url?: string, t?: Tunnel) => void): void {
    if (!o.ignoreToken && hello.token !== o.token) return done("bad token: the server refused the token");
    if (typeof hello.http === "string") {
      const name = hello.http.toLowerCase();
      if (!NAME.test(name)) return done(`bad name "${hello.http}": use letters, digits and "-"`);
      if (o.httpPort === undefined) return done("this server has no HTTP port");
      if (http.has(name) && !o.takeTakenNames) return done(`the name "${name}" is already taken`);
      const t: Tunnel = { session, nextStream: 1, active: 0, bucket: bucket() };
      http.set(name, t);
      return done(null, `http://${name}.localhost:${o.httpPort}`, t);
    }
    if (typeof hello.tls === "string") {
      const name = hello.tls.toLowerCase();
      if (!NAME.test(name)) return done(`bad name "${hello.tls}": use letters, digits and "-"`);
      if (o.tlsPort === undefined) return done("this server has no TLS port (--tls-port)");
      if (tlsTunnels.has(name)) return done(`the TLS name "${name}" is already taken`);
      const t: Tunnel = { session, nextStream: 1, active: 0, bucket: bucket() };
      tlsTunnels.set(name, t);
      return done(null, `tls://${name}.localhost:${o.tlsPort}`, t);
    }
    if (typeof hello.tcp === "number") {
      const port = hello.tcp;
      if (!o.tcpPorts.includes(port) && !o.anyTcpPort) return done(`port ${port} is not one of the server's --tcp-ports (${o.tcpPorts.join(",") || "none"})`);
      if (tcp.has(port)) return done(`port ${port} is already taken`);
      const t: Tunnel = { session, nextStream: 1, active: 0, bucket: bucket() };
      tcp.set(port, t);
      if (mistake === "tcp-ports-at-start") return done(null, `tcp://${host}:${port}`, t);
      const listener = net.createServer({ allowHalfOpen: true }, (sock) => openStream(t, sock, "tcp"));
      t.listener = listener;
      listener.on("error", (e) => {
        tcp.delete(port);
        done(`cannot listen on port ${port}: ${e.message}`);
      });
      listener.listen(port, host, () => done(null, `tcp://${host}:${port}`, t));
      return;
    }
    done("the client asked for neither an HTTP name, a TLS name nor a TCP port");
  }

  net
    .createServer((sock) => {
      let tunnel: Tunnel | undefined;
      let hello = false;
      const helloTimer = setTimeout(() => {
        if (!hello) session.close();
      }, 10000);
      const session = new Session(sock, {
        flowControl: o.flowControl,
        keepAliveMs: o.keepAliveMs,
        noHalfClose: o.noHalfClose,
        lossyGrants: o.lossyGrants,
        grantOnArrival: o.grantOnArrival,
        silentIntervals: o.silentIntervals,
        ignoreEnd: o.ignoreEnd,
        onControl: (f: Frame) => {
          if (f.type !== FrameType.Hello || hello) return;
          hello = true;
          clearTimeout(helloTimer);
          let req: Record<string, unknown>;
          try {
            req = JSON.parse(f.payload.toString("utf8")) as Record<string, unknown>;
          } catch {
            session.close();
            return;
          }
          register(session, req, (error, url, t) => {
            if (error !== null) {
              session.send(FrameType.Welcome, 0, Buffer.from(JSON.stringify({ ok: false, error })));
              sock.end();
              return;
            }
            if (session.closed) return release(t!);
            tunnel = t;
            session.send(FrameType.Welcome, 0, Buffer.from(JSON.stringify({ ok: true, url })));
            console.log(`registered ${url}`);
          });
        },
        onClose: () => {
          clearTimeout(helloTimer);
          if (tunnel) release(tunnel);
        },
      });
    })
    .listen(o.controlPort, host);

  function release(t: Tunnel): void {
    for (const [name, x] of http) if (x === t && mistake !== "names-kept-after-loss") http.delete(name);
    for (const [name, x] of tlsTunnels) if (x === t) tlsTunnels.delete(name);
    for (const [port, x] of tcp) {
      if (x !== t) continue;
      tcp.delete(port);
      if (!o.keepTcpListener) x.listener?.close();
    }
  }
}
