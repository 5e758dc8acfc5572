/**
 * One HTTP/2 connection (RFC 9113), after the client's preface: frames in,
 * streams opened by HEADERS (+ CONTINUATION) and fed by DATA, each request
 * answered through the same routes as HTTP/1.1, responses sent as HEADERS and
 * DATA within the peer's flow-control windows; errors answered with
 * RST_STREAM (a stream error) or GOAWAY and close (a connection error).
 */
import { MAX_BODY_BYTES, type Request } from "../request.ts";
import type { Response } from "../response.ts";
import * as F from "./frames.ts";
import { CompressionError, Decoder, Encoder, tableSizeUpdate, type Field, type HpackMistake } from "./hpack.ts";

export interface H2Options {
  /** Routes a complete request (the HTTP/1.1 server's routes). */
  route: (req: Request) => Response;
  /** Fixture switch: never acknowledge the client's SETTINGS. */
  noSettingsAck?: boolean;
  /**
   * Fixture switch: no SETTINGS frame of the server's own first; DATA that never carries END_STREAM; a stream window
   * that a smaller SETTINGS_INITIAL_WINDOW_SIZE would make negative taken as 0; WINDOW_UPDATE of 0 on the connection
   * ignored; frames over SETTINGS_MAX_FRAME_SIZE read like any other; requests answered a moment later from the last
   * header block decoded on the connection rather than their own stream's (state shared between streams); the
   * fragments that CONTINUATION frames carry left out of the header block; a stream waiting for window holding up the
   * DATA of every stream opened after it; the connection left open after a GOAWAY for a connection error; WINDOW_UPDATE
   * on a stream not growing its window; DATA limited by the stream's window only, not the connection's; HEADERS on an
   * even stream id served; a SETTINGS payload whose length is not a multiple of 6 read up to its last whole setting;
   * the server's own SETTINGS sent only after its ACK of the client's (the ACK is then the server's first frame);
   * WINDOW_UPDATE for received DATA sent on the connection only, never on the stream.
   */
  h2Mistake?: "no-server-preface" | "data-without-end-stream" | "window-floor-zero" | "zero-connection-window-update-ignored" | "oversized-frames-read" | "shared-request-state" | "continuation-dropped" | "blocked-stream-blocks-all" | "open-after-goaway" | "stream-window-update-ignored" | "connection-window-ignored" | "even-streams-accepted" | "settings-length-unchecked" | "settings-ack-first" | "no-stream-window-update";
  /** Fixture switch: a mistake in the HPACK decoder (see HpackMistake). */
  hpackMistake?: HpackMistake;
  /** Fixture switch: decode header blocks without a dynamic table. */
  noDynamicTable?: boolean;
  /** Fixture switch: answer one stream at a time, in the order they were opened. */
  oneStreamAtATime?: boolean;
  /** Fixture switch: send DATA whatever the peer's windows. */
  ignoreFlowControl?: boolean;
  /** Fixture switch: encode with a 4096-byte dynamic table whatever the client's SETTINGS_HEADER_TABLE_SIZE. */
  ignoreHeaderTableSize?: boolean;
  /** Fixture switch: size HPACK dynamic table entries without RFC 7541 §4.1's 32 octets of overhead. */
  hpackNoEntryOverhead?: boolean;
  /** Fixture switch: cut DATA frames to the windows only, not to the peer's SETTINGS_MAX_FRAME_SIZE. */
  ignoreMaxFrameSize?: boolean;
  /** Fixture switch: a new SETTINGS_INITIAL_WINDOW_SIZE sets open streams' windows to it instead of changing them by the difference. */
  initialWindowSet?: boolean;
  /** Fixture switch: a new SETTINGS_INITIAL_WINDOW_SIZE changes the connection's window too. */
  initialWindowMovesConnection?: boolean;
  /** Fixture switch: response field names keep their case (Content-Type). */
  uppercaseResponseNames?: boolean;
  /** Fixture switch: advertise SETTINGS_MAX_CONCURRENT_STREAMS but never refuse a stream. */
  noStreamLimit?: boolean;
  /** Fixture switch: PING ACK with 8 zero bytes instead of the PING's. */
  pingAckZeros?: boolean;
  /** Fixture switch: a PING that is itself an ACK is answered too. */
  pingAckAnswered?: boolean;
  /** Fixture switch: a frame of an unknown type is a connection error. */
  unknownFramesRejected?: boolean;
  /** Fixture switch: RST_STREAM from the client is ignored. */
  rstStreamIgnored?: boolean;
  /** Fixture switch: stream ids need not increase. */
  streamIdsUnchecked?: boolean;
  /** Fixture switch: upper-case request field names are accepted. */
  uppercaseFieldsAccepted?: boolean;
  /** Fixture switch: WINDOW_UPDATE of 0 on a stream is ignored. */
  zeroStreamWindowUpdateIgnored?: boolean;
  /** Fixture switch: GOAWAY names stream 0 as the last processed. */
  goawayLastStreamZero?: boolean;
  /** Fixture switch: never send WINDOW_UPDATE for DATA received. */
  noWindowUpdate?: boolean;
  /** Fixture switch: drop frames that are FRAME_SIZE_ERRORs instead of answering GOAWAY. */
  frameSizeErrorsIgnored?: boolean;
  /** Fixture switch: drop frames that are protocol errors instead of answering GOAWAY. */
  protocolErrorsIgnored?: boolean;
}

/** An error that ends the connection (§5.4.1). */
class ConnectionError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** An error that ends one stream (§5.4.2). */
class StreamError extends Error {
  constructor(
    readonly stream: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

type State = "open" | "half-closed (remote)" | "half-closed (local)" | "closed";

interface Stream {
  id: number;
  state: State;
  fields: Field[];
  body: Buffer[];
  bodyLength: number;
  /** How much DATA we may still send on it (§6.9). */
  sendWindow: number;
  /** Response DATA waiting for window. */
  pending: Buffer[];
  /** END_STREAM goes with the last pending byte. */
  endAfterPending: boolean;
  /** The response has been started (HEADERS sent). */
  responding: boolean;
  /** The request is complete (END_STREAM received). */
  requestDone: boolean;
}

const OUR_MAX_CONCURRENT = 100;
/** Connection-specific fields, not allowed in HTTP/2 (§8.2.2). */
const CONNECTION_FIELDS = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]);

export class H2Connection {
  private buffer = Buffer.alloc(0);
  private sawSettings = false;
  private readonly streams = new Map<number, Stream>();
  private lastStream = 0;
  private readonly decoder: Decoder;
  private readonly encoder: Encoder;
  /** A header block being collected from HEADERS and CONTINUATION frames. */
  private headerBlock: { stream: number; flags: number; parts: Buffer[] } | undefined;
  private connSendWindow = F.DEFAULT_WINDOW;
  private peerInitialWindow = F.DEFAULT_WINDOW;
  private peerMaxFrame = F.DEFAULT_MAX_FRAME_SIZE;
  /** A table size the peer set below ours: announce it at the start of the next header block (RFC 7541 §4.2). */
  private pendingTableSize: number | undefined;
  private goingAway = false;
  private closed = false;
  /** The last header block decoded (for the shared-request-state fixture). */
  private lastFields: Field[] = [];
  /** Streams in the order they were opened (for the one-at-a-time fixture). */
  private readonly order: number[] = [];

  constructor(
    private readonly write: (bytes: Buffer) => void,
    private readonly end: () => void,
    private readonly o: H2Options,
    private readonly log: (line: string) => void,
  ) {
    const overhead = o.hpackNoEntryOverhead ? 0 : undefined;
    this.decoder = new Decoder(undefined, overhead, o.hpackMistake);
    this.encoder = new Encoder(overhead);
    // §3.4: the server's preface is a SETTINGS frame (possibly empty).
    if (o.h2Mistake !== "no-server-preface" && o.h2Mistake !== "settings-ack-first") this.write(F.frame(F.SETTINGS, 0, 0, F.settingsPayload([[F.MAX_CONCURRENT_STREAMS, OUR_MAX_CONCURRENT]])));
  }

  /** The socket is gone: stop sending. */
  close(): void {
    this.closed = true;
  }

  /** Bytes after the 24-octet preface. */
  feed(bytes: Uint8Array): void {
    if (this.closed) return;
    this.buffer = this.buffer.length === 0 ? Buffer.from(bytes) : Buffer.concat([this.buffer, bytes]);
    try {
      for (;;) {
        const h = F.readFrameHeader(this.buffer);
        if (!h) return;
        // §4.2: a frame over our SETTINGS_MAX_FRAME_SIZE (the default, 16384).
        if (h.length > F.DEFAULT_MAX_FRAME_SIZE && this.o.h2Mistake !== "oversized-frames-read") throw new ConnectionError(F.FRAME_SIZE_ERROR, `a frame of ${h.length} bytes, over SETTINGS_MAX_FRAME_SIZE ${F.DEFAULT_MAX_FRAME_SIZE}`);
        if (this.buffer.length < 9 + h.length) return;
        const payload = this.buffer.subarray(9, 9 + h.length);
        this.buffer = this.buffer.subarray(9 + h.length);
        try {
          this.onFrame({ type: h.type, flags: h.flags, stream: h.stream, payload });
        } catch (e) {
          if (!(e instanceof StreamError)) throw e;
          this.log(`stream ${e.stream}: RST_STREAM ${e.code}: ${e.message}`);
          const s = this.streams.get(e.stream);
          if (s) this.closeStream(s);
          this.write(F.frame(F.RST_STREAM, 0, e.stream, F.u32(e.code)));
        }
        if (this.closed) return;
      }
    } catch (e) {
      if (!(e instanceof ConnectionError)) throw e;
      if (this.o.protocolErrorsIgnored && e.code === F.PROTOCOL_ERROR) return;
      if (this.o.frameSizeErrorsIgnored && e.code === F.FRAME_SIZE_ERROR) return;
      this.connectionError(e.code, e.message);
    }
  }

  private connectionError(code: number, message: string): void {
    this.log(`GOAWAY ${code}: ${message}`);
    this.write(F.frame(F.GOAWAY, 0, 0, F.goawayPayload(this.o.goawayLastStreamZero ? 0 : this.lastStream, code, message)));
    this.closed = true;
    if (this.o.h2Mistake !== "open-after-goaway") this.end();
  }

  private onFrame(f: F.Frame): void {
    // §3.4: the preface is followed by a SETTINGS frame.
    if (!this.sawSettings && f.type !== F.SETTINGS) throw new ConnectionError(F.PROTOCOL_ERROR, "the client preface must be followed by a SETTINGS frame");
    // §6.10: nothing may come between HEADERS and its CONTINUATION frames.
    if (this.headerBlock && (f.type !== F.CONTINUATION || f.stream !== this.headerBlock.stream)) throw new ConnectionError(F.PROTOCOL_ERROR, "a header block was interrupted by another frame");
    switch (f.type) {
      case F.DATA:
        return this.onData(f);
      case F.HEADERS:
        return this.onHeaders(f);
      case F.PRIORITY:
        if (f.stream === 0) throw new ConnectionError(F.PROTOCOL_ERROR, "PRIORITY on stream 0");
        if (f.payload.length !== 5) throw new StreamError(f.stream, F.FRAME_SIZE_ERROR, "a PRIORITY frame is 5 bytes");
        return;
      case F.RST_STREAM:
        return this.onRstStream(f);
      case F.SETTINGS:
        return this.onSettings(f);
      case F.PUSH_PROMISE:
        throw new ConnectionError(F.PROTOCOL_ERROR, "a client cannot send PUSH_PROMISE");
      case F.PING:
        if (f.stream !== 0) throw new ConnectionError(F.PROTOCOL_ERROR, "PING on a stream other than 0");
        if (f.payload.length !== 8) throw new ConnectionError(F.FRAME_SIZE_ERROR, `a PING frame is 8 bytes, not ${f.payload.length}`);
        if (!(f.flags & F.ACK) || this.o.pingAckAnswered) this.write(F.frame(F.PING, F.ACK, 0, this.o.pingAckZeros ? Buffer.alloc(8) : f.payload));
        return;
      case F.GOAWAY:
        if (f.stream !== 0) throw new ConnectionError(F.PROTOCOL_ERROR, "GOAWAY on a stream other than 0");
        this.goingAway = true;
        this.maybeFinish();
        return;
      case F.WINDOW_UPDATE:
        return this.onWindowUpdate(f);
      case F.CONTINUATION:
        return this.onContinuation(f);
      default:
        if (this.o.unknownFramesRejected) throw new ConnectionError(F.PROTOCOL_ERROR, `unknown frame type ${f.type}`);
        return; // §5.5: unknown frame types are ignored.
    }
  }

  /** The settings-ack-first mistake: whether the server's own SETTINGS has gone out (after its first ACK). */
  private lateSettingsSent = false;

  private onSettings(f: F.Frame): void {
    if (f.stream !== 0) throw new ConnectionError(F.PROTOCOL_ERROR, "SETTINGS on a stream other than 0");
    if (f.flags & F.ACK) {
      if (f.payload.length !== 0) throw new ConnectionError(F.FRAME_SIZE_ERROR, "a SETTINGS ACK with a payload");
      return;
    }
    if (f.payload.length % 6 !== 0 && this.o.h2Mistake !== "settings-length-unchecked") throw new ConnectionError(F.FRAME_SIZE_ERROR, `a SETTINGS payload of ${f.payload.length} bytes, not a multiple of 6`);
    this.sawSettings = true;
    for (let at = 0; at + 6 <= f.payload.length; at += 6) {
      const id = f.payload.readUInt16BE(at);
      const value = f.payload.readUInt32BE(at + 2);
      if (id === F.HEADER_TABLE_SIZE) {
        const size = Math.min(value, 4096);
        if (size !== this.encoder.table.maxSize && !this.o.ignoreHeaderTableSize) this.pendingTableSize = size;
      } else if (id === F.ENABLE_PUSH && value > 1) throw new ConnectionError(F.PROTOCOL_ERROR, "SETTINGS_ENABLE_PUSH must be 0 or 1");
      else if (id === F.INITIAL_WINDOW_SIZE) {
        if (value > F.MAX_WINDOW) throw new ConnectionError(F.FLOW_CONTROL_ERROR, "SETTINGS_INITIAL_WINDOW_SIZE over 2^31-1");
        // §6.9.2: the change applies to every stream's window.
        const delta = value - this.peerInitialWindow;
        this.peerInitialWindow = value;
        if (this.o.initialWindowMovesConnection) this.connSendWindow += delta;
        for (const s of this.streams.values()) {
          s.sendWindow = this.o.initialWindowSet ? value : s.sendWindow + delta;
          // Fixture switch: a window the new setting makes negative is taken as 0.
          if (this.o.h2Mistake === "window-floor-zero") s.sendWindow = Math.max(0, s.sendWindow);
          if (s.sendWindow > F.MAX_WINDOW) throw new ConnectionError(F.FLOW_CONTROL_ERROR, "a stream window over 2^31-1");
        }
      } else if (id === F.MAX_FRAME_SIZE) {
        if (value < F.DEFAULT_MAX_FRAME_SIZE || value > 2 ** 24 - 1) throw new ConnectionError(F.PROTOCOL_ERROR, `SETTINGS_MAX_FRAME_SIZE ${value} out of range`);
        this.peerMaxFrame = value;
      }
    }
    if (!this.o.noSettingsAck) this.write(F.frame(F.SETTINGS, F.ACK, 0));
    if (this.o.h2Mistake === "settings-ack-first" && !this.lateSettingsSent) {
      this.lateSettingsSent = true;
      this.write(F.frame(F.SETTINGS, 0, 0, F.settingsPayload([[F.MAX_CONCURRENT_STREAMS, OUR_MAX_CONCURRENT]])));
    }
    this.flush();
  }

  /** Strips padding (§6.1, §6.2): the payload without the pad length octet and the padding. */
  private unpad(f: F.Frame): Buffer {
    if (!(f.flags & F.PADDED)) return f.payload;
    if (f.payload.length < 1) throw new ConnectionError(F.FRAME_SIZE_ERROR, "a padded frame without its pad length");
    const pad = f.payload[0]!;
    if (pad >= f.payload.length) throw new ConnectionError(F.PROTOCOL_ERROR, "padding as long as the frame");
    return f.payload.subarray(1, f.payload.length - pad);
  }

  private onHeaders(f: F.Frame): void {
    if (f.stream === 0) throw new ConnectionError(F.PROTOCOL_ERROR, "HEADERS on stream 0");
    let block = this.unpad(f);
    if (f.flags & F.PRIORITY_FLAG) {
      if (block.length < 5) throw new ConnectionError(F.FRAME_SIZE_ERROR, "HEADERS too short for its priority fields");
      if ((block.readUInt32BE(0) & 0x7fffffff) === f.stream) throw new StreamError(f.stream, F.PROTOCOL_ERROR, "a stream cannot depend on itself");
      block = block.subarray(5);
    }
    this.headerBlock = { stream: f.stream, flags: f.flags, parts: [block] };
    if (f.flags & F.END_HEADERS) this.endHeaderBlock();
  }

  private onContinuation(f: F.Frame): void {
    if (!this.headerBlock) throw new ConnectionError(F.PROTOCOL_ERROR, "CONTINUATION without a HEADERS frame before it");
    if (this.o.h2Mistake !== "continuation-dropped") this.headerBlock.parts.push(f.payload);
    if (f.flags & F.END_HEADERS) this.endHeaderBlock();
  }

  private endHeaderBlock(): void {
    const { stream: id, flags, parts } = this.headerBlock!;
    this.headerBlock = undefined;
    let fields: Field[];
    try {
      const block = Buffer.concat(parts);
      fields = this.decoder.decode(block, { noDynamicTable: this.o.noDynamicTable });
      this.lastFields = fields;
    } catch (e) {
      if (e instanceof CompressionError) throw new ConnectionError(F.COMPRESSION_ERROR, `cannot decode a header block: ${e.message}`);
      throw e;
    }
    const existing = this.streams.get(id);
    if (existing) {
      // Trailers (§8.1): a second HEADERS ends the request.
      if (existing.state !== "open") throw new StreamError(id, F.STREAM_CLOSED, `HEADERS on a ${existing.state} stream`);
      if (!(flags & F.END_STREAM)) throw new StreamError(id, F.PROTOCOL_ERROR, "trailers without END_STREAM");
      return this.requestComplete(existing);
    }
    // §5.1.1: clients open odd-numbered streams, each higher than the last.
    if (id % 2 === 0 && this.o.h2Mistake !== "even-streams-accepted") throw new ConnectionError(F.PROTOCOL_ERROR, `HEADERS on stream ${id}: a client's streams have odd numbers`);
    if (id <= this.lastStream && !this.o.streamIdsUnchecked) throw new ConnectionError(F.PROTOCOL_ERROR, `HEADERS opening stream ${id}, not higher than the last stream opened (${this.lastStream})`);
    this.lastStream = Math.max(id, this.lastStream);
    if (this.goingAway) return;
    const open = [...this.streams.values()].filter((s) => s.state !== "closed").length;
    if (open >= OUR_MAX_CONCURRENT && !this.o.noStreamLimit) throw new StreamError(id, F.REFUSED_STREAM, "too many concurrent streams");
    const s: Stream = { id, state: "open", fields, body: [], bodyLength: 0, sendWindow: this.peerInitialWindow, pending: [], endAfterPending: false, responding: false, requestDone: false };
    this.streams.set(id, s);
    this.order.push(id);
    this.checkRequestFields(s);
    if (flags & F.END_STREAM) this.requestComplete(s);
  }

  /** §8.3.1, §8.2: the pseudo-header fields a request needs, lowercase names, no connection-specific fields. */
  private checkRequestFields(s: Stream): void {
    const err = (m: string) => new StreamError(s.id, F.PROTOCOL_ERROR, m);
    let regular = false;
    const pseudo = new Set<string>();
    for (const [name, value] of s.fields) {
      if (name !== name.toLowerCase() && !this.o.uppercaseFieldsAccepted) throw err(`field name ${JSON.stringify(name)} has upper-case letters`);
      if (name.startsWith(":")) {
        if (regular) throw err(`pseudo-header ${name} after a regular field`);
        if (![":method", ":scheme", ":path", ":authority"].includes(name)) throw err(`unknown pseudo-header ${name}`);
        if (pseudo.has(name)) throw err(`pseudo-header ${name} twice`);
        pseudo.add(name);
      } else {
        regular = true;
        if (CONNECTION_FIELDS.has(name)) throw err(`connection-specific field ${name}`);
        if (name === "te" && value !== "trailers") throw err("te other than trailers");
      }
    }
    for (const need of [":method", ":scheme", ":path"]) if (!pseudo.has(need)) throw err(`missing ${need}`);
  }

  private onData(f: F.Frame): void {
    if (f.stream === 0) throw new ConnectionError(F.PROTOCOL_ERROR, "DATA on stream 0");
    // §6.9: every DATA frame, padding included, counts against the connection's window; give it back.
    if (f.payload.length > 0 && !this.o.noWindowUpdate) this.write(F.frame(F.WINDOW_UPDATE, 0, 0, F.u32(f.payload.length)));
    const s = this.streams.get(f.stream);
    if (!s) {
      if (f.stream > this.lastStream) throw new ConnectionError(F.PROTOCOL_ERROR, `DATA on stream ${f.stream}, which is idle`);
      throw new StreamError(f.stream, F.STREAM_CLOSED, `DATA on stream ${f.stream}, which is closed`);
    }
    if (s.state !== "open" && s.state !== "half-closed (local)") throw new StreamError(f.stream, F.STREAM_CLOSED, `DATA on a ${s.state} stream`);
    const data = this.unpad(f);
    s.body.push(data);
    s.bodyLength += data.length;
    if (s.bodyLength > MAX_BODY_BYTES && !s.responding) {
      // §8.1: a response before the request is complete, then RST_STREAM NO_ERROR.
      this.respond(s, { status: 413, headers: [["Content-Type", "text/plain"]], body: Buffer.from("Content Too Large\n") }, "POST");
      this.write(F.frame(F.RST_STREAM, 0, s.id, F.u32(F.NO_ERROR)));
      this.closeStream(s);
      return;
    }
    if (f.flags & F.END_STREAM) this.requestComplete(s);
    else if (f.payload.length > 0 && s.state === "open" && !this.o.noWindowUpdate && this.o.h2Mistake !== "no-stream-window-update") this.write(F.frame(F.WINDOW_UPDATE, 0, s.id, F.u32(f.payload.length)));
  }

  private onRstStream(f: F.Frame): void {
    if (f.stream === 0) throw new ConnectionError(F.PROTOCOL_ERROR, "RST_STREAM on stream 0");
    if (f.payload.length !== 4) throw new ConnectionError(F.FRAME_SIZE_ERROR, "an RST_STREAM frame is 4 bytes");
    if (f.stream > this.lastStream) throw new ConnectionError(F.PROTOCOL_ERROR, `RST_STREAM on stream ${f.stream}, which is idle`);
    if (this.o.rstStreamIgnored) return;
    const s = this.streams.get(f.stream);
    if (s) this.closeStream(s);
    this.advance();
  }

  private onWindowUpdate(f: F.Frame): void {
    if (f.payload.length !== 4) throw new ConnectionError(F.FRAME_SIZE_ERROR, "a WINDOW_UPDATE frame is 4 bytes");
    const increment = f.payload.readUInt32BE(0) & 0x7fffffff;
    if (f.stream === 0) {
      if (increment === 0 && this.o.h2Mistake !== "zero-connection-window-update-ignored") throw new ConnectionError(F.PROTOCOL_ERROR, "WINDOW_UPDATE of 0 on the connection");
      this.connSendWindow += increment;
      if (this.connSendWindow > F.MAX_WINDOW) throw new ConnectionError(F.FLOW_CONTROL_ERROR, "the connection window over 2^31-1");
    } else {
      if (f.stream > this.lastStream) throw new ConnectionError(F.PROTOCOL_ERROR, `WINDOW_UPDATE on stream ${f.stream}, which is idle`);
      const s = this.streams.get(f.stream);
      if (increment === 0 && !this.o.zeroStreamWindowUpdateIgnored) throw new StreamError(f.stream, F.PROTOCOL_ERROR, "WINDOW_UPDATE of 0");
      if (s && s.state !== "closed") {
        if (this.o.h2Mistake !== "stream-window-update-ignored") s.sendWindow += increment;
        if (s.sendWindow > F.MAX_WINDOW) throw new StreamError(f.stream, F.FLOW_CONTROL_ERROR, "a stream window over 2^31-1");
      }
    }
    this.flush();
  }

  private requestComplete(s: Stream): void {
    s.requestDone = true;
    s.state = s.state === "half-closed (local)" ? "closed" : "half-closed (remote)";
    const get = (n: string) => s.fields.find(([name]) => name === n)?.[1];
    const cl = get("content-length");
    if (cl !== undefined && Number(cl) !== s.bodyLength) throw new StreamError(s.id, F.PROTOCOL_ERROR, `content-length ${cl}, but the DATA frames held ${s.bodyLength} bytes`);
    this.advance();
  }

  /** Starts responses for complete requests (only the oldest open stream's, with the one-at-a-time fixture). */
  private advance(): void {
    if (this.o.oneStreamAtATime) {
      while (this.order.length > 0 && (this.streams.get(this.order[0]!)?.state ?? "closed") === "closed") this.order.shift();
      const head = this.streams.get(this.order[0] ?? -1);
      if (head && head.requestDone && !head.responding) this.handle(head);
      return;
    }
    for (const s of this.streams.values()) {
      if (!s.requestDone || s.responding || s.state === "closed") continue;
      if (this.o.h2Mistake !== "shared-request-state") this.handle(s);
      else {
        s.responding = true;
        queueMicrotask(() => {
          s.fields = this.lastFields;
          this.handle(s);
        });
      }
    }
  }

  private handle(s: Stream): void {
    const get = (n: string) => s.fields.find(([name]) => name === n)?.[1];
    const headers = new Map<string, string>();
    const rawHeaders: [string, string][] = [];
    for (const [n, v] of s.fields) {
      if (n.startsWith(":")) continue;
      rawHeaders.push([n, v]);
      // §8.2.3: cookie fields are joined with "; ", the others with ", ".
      headers.set(n, headers.has(n) ? `${headers.get(n)}${n === "cookie" ? "; " : ", "}${v}` : v);
    }
    const authority = get(":authority");
    if (authority !== undefined && !headers.has("host")) headers.set("host", authority);
    const req: Request = { method: get(":method")!, target: get(":path")!, version: "HTTP/2", headers, rawHeaders, body: Buffer.concat(s.body) };
    let res: Response;
    try {
      res = this.o.route(req);
    } catch (e) {
      this.log(`500: ${(e as Error).message}`);
      res = { status: 500, headers: [["Content-Type", "text/plain"]], body: Buffer.from("Internal Server Error\n") };
    }
    this.log(`HTTP/2 stream ${s.id}: ${req.method} ${req.target} -> ${res.status}`);
    this.respond(s, res, req.method);
  }

  private respond(s: Stream, res: Response, method: string): void {
    s.responding = true;
    const head = method === "HEAD" || res.status === 304;
    const fields: Field[] = [[":status", String(res.status)]];
    for (const [n, v] of res.headers) if (!CONNECTION_FIELDS.has(n.toLowerCase())) fields.push([this.o.uppercaseResponseNames ? n : n.toLowerCase(), v]);
    if (!res.stream && res.status !== 304 && !fields.some(([n]) => n === "content-length")) fields.push(["content-length", String(res.body.length)]);
    const streaming = res.stream !== undefined && !head;
    const noBody = head || (!streaming && res.body.length === 0);
    this.sendHeaders(s.id, fields, noBody);
    if (noBody) return this.localEnd(s);
    if (streaming) void this.sendPieces(s, res.stream!);
    else {
      s.pending.push(Buffer.isBuffer(res.body) ? res.body : Buffer.from(res.body.buffer, res.body.byteOffset, res.body.byteLength));
      s.endAfterPending = true;
      this.flush();
    }
  }

  /** A body made over time (/stream/<n>): each piece as DATA when it is made. */
  private async sendPieces(s: Stream, stream: NonNullable<Response["stream"]>): Promise<void> {
    for (const piece of stream.pieces) {
      await Bun.sleep(stream.intervalMs);
      if (s.state === "closed" || this.closed) return;
      s.pending.push(Buffer.from(piece));
      this.flush();
    }
    s.endAfterPending = true;
    this.flush();
  }

  /** HEADERS, then CONTINUATION frames if the block is over the peer's frame size (§6.10). */
  private sendHeaders(id: number, fields: Field[], endStream: boolean): void {
    let update: Buffer = Buffer.alloc(0);
    if (this.pendingTableSize !== undefined) {
      // RFC 7541 §4.2: announce the smaller table at the start of the next block.
      this.encoder.table.resize(this.pendingTableSize);
      update = tableSizeUpdate(this.pendingTableSize);
      this.pendingTableSize = undefined;
    }
    const block = Buffer.concat([update, this.encoder.encode(fields)]);
    const max = this.peerMaxFrame;
    const first = block.subarray(0, max);
    let rest = block.subarray(first.length);
    this.write(F.frame(F.HEADERS, (endStream ? F.END_STREAM : 0) | (rest.length === 0 ? F.END_HEADERS : 0), id, first));
    while (rest.length > 0) {
      const part = rest.subarray(0, max);
      rest = rest.subarray(part.length);
      this.write(F.frame(F.CONTINUATION, rest.length === 0 ? F.END_HEADERS : 0, id, part));
    }
  }

  /** Sends what the windows allow, stream by stream, a frame at a time in turn (§6.9.1). */
  private flush(): void {
    if (this.closed) return;
    let progress = true;
    while (progress) {
      progress = false;
      for (const s of this.streams.values()) {
        if (s.state === "closed" || s.state === "half-closed (local)") continue;
        if (s.pending.length === 0) {
          if (s.endAfterPending && s.responding) {
            this.write(F.frame(F.DATA, F.END_STREAM, s.id));
            this.localEnd(s);
            progress = true;
          }
          continue;
        }
        const free = this.o.ignoreFlowControl ? Infinity : this.o.h2Mistake === "connection-window-ignored" ? s.sendWindow : Math.min(this.connSendWindow, s.sendWindow);
        if (free <= 0 && this.o.h2Mistake === "blocked-stream-blocks-all") break;
        if (free <= 0) continue;
        const chunk = s.pending[0]!;
        const n = Math.min(chunk.length, free, this.o.ignoreMaxFrameSize ? Infinity : this.peerMaxFrame);
        const data = chunk.subarray(0, n);
        if (n === chunk.length) s.pending.shift();
        else s.pending[0] = chunk.subarray(n);
        this.connSendWindow -= n;
        s.sendWindow -= n;
        const last = s.pending.length === 0 && s.endAfterPending;
        // The header and the payload as two pieces: the payload is not copied here (the socket's writer joins small pieces).
        this.write(F.frameHead(F.DATA, last && this.o.h2Mistake !== "data-without-end-stream" ? F.END_STREAM : 0, s.id, data.length));
        this.write(data);
        if (last) this.localEnd(s);
        progress = true;
      }
    }
  }

  /** We sent END_STREAM. */
  private localEnd(s: Stream): void {
    s.state = s.state === "half-closed (remote)" ? "closed" : "half-closed (local)";
    if (s.state === "closed") this.closeStream(s);
    this.advance();
    this.maybeFinish();
  }

  private closeStream(s: Stream): void {
    s.state = "closed";
    s.pending = [];
    this.streams.delete(s.id);
  }

  /** After the client's GOAWAY, close once no stream is left (§6.8). */
  private maybeFinish(): void {
    if (!this.goingAway || this.closed) return;
    if ([...this.streams.values()].some((s) => s.state !== "closed")) return;
    this.write(F.frame(F.GOAWAY, 0, 0, F.goawayPayload(this.lastStream, F.NO_ERROR, "")));
    this.closed = true;
    this.end();
  }
}
