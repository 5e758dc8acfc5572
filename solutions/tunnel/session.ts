/**
 * One tunnel connection carrying many streams: frames in and out, keep-alives,
 * and per-stream flow control after HTTP/2's model (RFC 9113 §5.2, §6.9): a
 * sender has INITIAL_WINDOW bytes of credit per stream, the receiver grants
 * more (WINDOW) only as its socket takes the bytes, so a slow reader on one
 * stream stalls only that stream — never the connection or the others.
 */
import type { Socket } from "node:net";
import type { TokenBucket } from "./bandwidth.ts";
import { encodeFrame, FrameReader, FrameType, INITIAL_WINDOW, MAX_DATA, windowPayload, type Frame } from "./protocol.ts";

/** "stream": per-stream windows (the reference). The others are mistakes, for fixtures: "connection" pauses the whole connection when one socket is full; "none" never pushes back at all. */
export type FlowControl = "stream" | "connection" | "none";

export interface SessionOptions {
  /** Frames on stream 0 other than PING/PONG (HELLO, WELCOME). */
  onControl(frame: Frame): void;
  /** OPEN of a new stream (the client side). */
  onOpen?(id: number, payload: Buffer): void;
  /** The connection is gone (closed, failed, or silent past the keep-alive limit). */
  onClose(): void;
  /** "stream": per-stream windows. "connection": no windows, a full socket pauses the whole connection (a mistake, for fixtures). */
  flowControl?: FlowControl;
  /** Interval of keep-alive PINGs; the peer is dead after 3 intervals of silence. 0: none (a mistake, for fixtures). */
  keepAliveMs?: number;
  /** On the peer's END, close the socket both ways instead of half-closing it (a mistake, for fixtures). */
  noHalfClose?: boolean;
  /** Grant exactly a quarter window each time one is counted, dropping the bytes counted beyond it (a mistake, for fixtures). */
  lossyGrants?: boolean;
  /** END frames from the peer are ignored: its FIN never reaches our socket (a mistake, for fixtures). */
  ignoreEnd?: boolean;
  /** Intervals of silence after which the peer is dead (3; more is a mistake, for fixtures). */
  silentIntervals?: number;
  /** Grant bytes back as soon as they arrive, before the stream's socket has taken them (a mistake, for fixtures). */
  grantOnArrival?: boolean;
}

export class Session {
  readonly streams = new Map<number, Stream>();
  private readonly reader = new FrameReader();
  private lastHeard = Date.now();
  private readonly timer: ReturnType<typeof setInterval>;
  closed = false;

  constructor(
    readonly sock: Socket,
    readonly o: SessionOptions,
  ) {
    sock.setNoDelay(true);
    sock.on("data", (chunk: Buffer) => this.onData(chunk));
    sock.on("close", () => this.close());
    sock.on("error", () => this.close());
    const every = o.keepAliveMs ?? 5000;
    this.timer = setInterval(() => {
      if (every === 0) return;
      if (Date.now() - this.lastHeard > (o.silentIntervals ?? 3) * every) this.close();
      else this.send(FrameType.Ping, 0, Buffer.alloc(8));
    }, every || 60000);
  }

  get flowControl(): FlowControl {
    return this.o.flowControl ?? "stream";
  }

  send(type: number, stream: number, payload?: Uint8Array): void {
    if (!this.closed) this.sock.write(encodeFrame(type, stream, payload));
  }

  private onData(chunk: Buffer): void {
    this.lastHeard = Date.now();
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch {
      this.close();
      return;
    }
    for (const f of frames) {
      if (this.closed) return;
      this.dispatch(f);
    }
  }

  private dispatch(f: Frame): void {
    if (f.stream === 0) {
      if (f.type === FrameType.Ping) this.send(FrameType.Pong, 0, f.payload);
      else if (f.type !== FrameType.Pong) this.o.onControl(f);
      return;
    }
    if (f.type === FrameType.Open) {
      this.o.onOpen?.(f.stream, f.payload);
      return;
    }
    const s = this.streams.get(f.stream);
    if (!s) return; // a frame for a stream already finished
    if (f.type === FrameType.Data) s.onData(f.payload);
    else if (f.type === FrameType.Window) s.onWindow(f.payload.readUInt32BE(0));
    else if (f.type === FrameType.End && !this.o.ignoreEnd) s.onEnd();
    else if (f.type === FrameType.Reset) s.abort(f.payload.toString("utf8"), false);
  }

  /** Closes the connection; every stream on it is lost. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.sock.destroy();
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const s of streams) s.abort("tunnel connection lost", false);
    this.o.onClose();
  }
}

export interface StreamOptions {
  /** The stream ended abnormally (RESET, a socket error, the connection lost); default: destroy the socket. */
  onAbort?(stream: Stream, reason: string): void;
  /** The stream is finished, either way. */
  onDone?(stream: Stream): void;
  /** Keep the peer's bytes until its END, then write them all at once (a mistake, for fixtures). */
  bufferUntilEnd?: boolean;
  /** The tunnel's bandwidth limit (--max-bytes-per-sec): each byte, either way, waits for a token. */
  bucket?: TokenBucket;
  /** The peer's bytes are written to our socket as UTF-8 text (a mistake, for fixtures). */
  textDecoding?: boolean;
  /** Only the peer's bytes to our socket wait for tokens, not our socket's to the peer (a mistake, for fixtures). */
  bucketOneWay?: boolean;
}

/** A stream short of tokens waits until this many are there (or fewer, if that is all it has to send). */
const PIECE = 8192;

/** One stream: a local socket (public user or local service) spliced to the peer through the session. */
export class Stream {
  private sendWindow = INITIAL_WINDOW;
  private pending: Buffer[] = [];
  private unacked = 0;
  private endQueued = false;
  private endSent = false;
  private remoteEnded = false;
  private held: Buffer[] = [];
  private draining = false;
  /** The peer's bytes waiting for tokens before they go to our socket. */
  private incoming: Buffer[] = [];
  private endAfterIncoming = false;
  private tokenTimer: ReturnType<typeof setTimeout> | undefined;
  done = false;
  /** It ended abnormally (abort: a RESET, a socket error, the connection lost). */
  aborted = false;
  /** Bytes from the peer written to the socket so far. */
  delivered = 0;

  constructor(
    readonly session: Session,
    readonly id: number,
    readonly sock: Socket,
    private readonly o: StreamOptions = {},
  ) {
    session.streams.set(id, this);
  }

  /** Starts reading the socket; `first` is what was read from it before (a request's header section). */
  attach(first?: Buffer): void {
    if (first && first.length > 0) this.fromSocket(first);
    this.sock.on("data", (d: Buffer) => this.fromSocket(d));
    this.sock.on("end", () => this.socketEnded());
    this.sock.on("error", (e) => this.abort(`socket error: ${e.message}`, true));
    this.sock.on("close", () => this.socketClosed());
  }

  /** Bytes read from our socket, to the peer within the stream's window. */
  private fromSocket(d: Buffer): void {
    if (this.done) return;
    if (this.session.flowControl !== "stream") {
      for (let off = 0; off < d.length; off += MAX_DATA) this.session.send(FrameType.Data, this.id, d.subarray(off, off + MAX_DATA));
      return;
    }
    this.pending.push(d);
    this.flush();
  }

  private flush(): void {
    const bucket = this.o.bucketOneWay ? undefined : this.o.bucket;
    while (this.pending.length > 0 && this.sendWindow > 0) {
      const head = this.pending[0]!;
      let n = Math.min(head.length, this.sendWindow, MAX_DATA);
      if (bucket) {
        const want = n;
        n = bucket.take(want, PIECE);
        if (n === 0) {
          this.waitForTokens(bucket, Math.min(want, PIECE));
          break;
        }
      }
      this.session.send(FrameType.Data, this.id, head.subarray(0, n));
      this.sendWindow -= n;
      if (n === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(n);
    }
    if (this.pending.length > 0) {
      this.sock.pause();
      return;
    }
    if (this.endQueued) this.sendEnd();
    else if (!this.done) this.sock.resume();
  }

  onWindow(n: number): void {
    this.sendWindow += n;
    this.flush();
  }

  /** Bytes from the peer, to our socket. */
  onData(payload: Buffer): void {
    if (this.done || this.sock.destroyed) return;
    const n = payload.length;
    this.delivered += n;
    if (this.o.bufferUntilEnd) {
      this.held.push(Buffer.from(payload));
      this.session.send(FrameType.Window, this.id, windowPayload(n));
      return;
    }
    if (this.session.flowControl === "none") {
      this.sock.write(payload); // queued in memory however slow the reader
      return;
    }
    if (this.session.flowControl === "connection") {
      if (!this.sock.write(payload) && !this.draining) {
        // Mistake: a full socket stops the whole connection, every other stream with it.
        this.draining = true;
        this.session.sock.pause();
        this.sock.once("drain", () => {
          this.draining = false;
          this.session.sock.resume();
        });
      }
      return;
    }
    if (this.session.o.grantOnArrival) {
      this.sock.write(payload);
      this.session.send(FrameType.Window, this.id, windowPayload(n));
      return;
    }
    if (this.o.bucket) {
      this.incoming.push(payload);
      this.drainIncoming();
      return;
    }
    this.writeOut(payload);
  }

  /** Writes the peer's bytes to our socket; grants them back once the socket has taken them (not when they merely arrived). */
  private writeOut(payload: Buffer): void {
    const n = payload.length;
    this.sock.write(this.o.textDecoding ? payload.toString("utf8") : payload, () => {
      this.unacked += n;
      if (this.unacked >= INITIAL_WINDOW / 4 && !this.done) {
        this.session.send(FrameType.Window, this.id, windowPayload(this.session.o.lossyGrants ? INITIAL_WINDOW / 4 : this.unacked));
        this.unacked = 0;
      }
    });
  }

  /** Writes what the bucket's tokens allow of the peer's waiting bytes; waits for more tokens if some are left. */
  private drainIncoming(): void {
    const bucket = this.o.bucket!;
    while (this.incoming.length > 0) {
      if (this.done || this.sock.destroyed) {
        this.incoming = [];
        return;
      }
      const head = this.incoming[0]!;
      const n = bucket.take(head.length, PIECE);
      if (n === 0) return this.waitForTokens(bucket, Math.min(head.length, PIECE));
      this.writeOut(head.subarray(0, n));
      if (n === head.length) this.incoming.shift();
      else this.incoming[0] = head.subarray(n);
    }
    if (this.endAfterIncoming) {
      this.endAfterIncoming = false;
      this.endSocket();
    }
  }

  /** Tries both directions again once `n` tokens will be in the bucket. */
  private waitForTokens(bucket: TokenBucket, n: number): void {
    if (this.tokenTimer !== undefined || this.done) return;
    this.tokenTimer = setTimeout(() => {
      this.tokenTimer = undefined;
      if (this.done) return;
      this.flush();
      if (this.incoming.length > 0) this.drainIncoming();
    }, bucket.waitMs(n));
  }

  /** The peer sends no more: half-close our socket once what it sent is written (RFC 9293 §3.6). */
  onEnd(): void {
    this.remoteEnded = true;
    if (this.incoming.length > 0) this.endAfterIncoming = true;
    else this.endSocket();
  }

  private endSocket(): void {
    if (this.sock.destroyed) return;
    if (this.held.length > 0) this.sock.write(Buffer.concat(this.held));
    this.held = [];
    if (this.session.o.noHalfClose) this.abort("closed", true);
    else this.sock.end();
  }

  private socketEnded(): void {
    if (this.done) return; // aborted: the peer was told (or told us), nothing more goes out for this stream
    this.endQueued = true;
    if (this.pending.length === 0) this.sendEnd();
  }

  private sendEnd(): void {
    if (this.endSent) return;
    this.endSent = true;
    this.session.send(FrameType.End, this.id);
    if (this.socketGone) this.finish();
  }

  /** The socket closed cleanly (both FINs) while its last bytes still wait for window: finish after sending them. */
  private socketGone = false;

  private socketClosed(): void {
    if (this.done) return;
    if (!(this.endQueued && this.remoteEnded)) this.abort("connection closed", true);
    else if (this.endSent) this.finish();
    else this.socketGone = true;
  }

  /** Ends the stream abnormally; tells the peer unless it told us. */
  abort(reason: string, tellPeer: boolean): void {
    if (this.done) return;
    this.aborted = true;
    if (tellPeer) this.session.send(FrameType.Reset, this.id, Buffer.from(reason));
    this.finish();
    if (this.o.onAbort) this.o.onAbort(this, reason);
    else this.sock.destroy();
  }

  private finish(): void {
    this.done = true;
    clearTimeout(this.tokenTimer);
    this.session.streams.delete(this.id);
    this.o.onDone?.(this);
  }
}
