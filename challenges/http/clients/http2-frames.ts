/**
 * HTTP/2 frames for the tests (RFC 9113 §4, §6), independent of any
 * solution: encode frames byte by byte, read the server's frames from a raw
 * TCP connection (bounded waits), decode its header blocks with HPACK, and
 * log every frame in the transcript as nghttp -v would show it.
 */
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";
import { StageFailure, type FailureDetails } from "../../../harness/report/failure.ts";
import { visible } from "../../../harness/report/show.ts";
import { caseEnded, never } from "../../../harness/stage/case-ended.ts";
import { TcpConnection } from "../../../harness/clients/tcp.ts";
import { HpackDecoder, HpackEncoder, type HeaderField } from "./http2-hpack.ts";

export const PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

export const FrameType = { DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const;
const TYPE_NAMES = Object.fromEntries(Object.entries(FrameType).map(([k, v]) => [v, k])) as Record<number, string>;

export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

/** §7. */
export const ErrorCode = { NO_ERROR: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2, FLOW_CONTROL_ERROR: 3, SETTINGS_TIMEOUT: 4, STREAM_CLOSED: 5, FRAME_SIZE_ERROR: 6, REFUSED_STREAM: 7, CANCEL: 8, COMPRESSION_ERROR: 9, CONNECT_ERROR: 10, ENHANCE_YOUR_CALM: 11, INADEQUATE_SECURITY: 12, HTTP_1_1_REQUIRED: 13 } as const;
export function errorName(code: number): string {
  return Object.entries(ErrorCode).find(([, v]) => v === code)?.[0] ?? `0x${code.toString(16)}`;
}

/** §6.5.2. */
export const Setting = { HEADER_TABLE_SIZE: 1, ENABLE_PUSH: 2, MAX_CONCURRENT_STREAMS: 3, INITIAL_WINDOW_SIZE: 4, MAX_FRAME_SIZE: 5, MAX_HEADER_LIST_SIZE: 6 } as const;
const SETTING_NAMES = Object.fromEntries(Object.entries(Setting).map(([k, v]) => [v, k])) as Record<number, string>;

export interface Frame {
  /** The length field as received (the payload's length). */
  length: number;
  type: number;
  flags: number;
  stream: number;
  payload: Buffer;
}

/** A frame's bytes (§4.1): 24-bit length, type, flags, 31-bit stream identifier, payload. `length` overrides the length field (to send a lie). */
export function encodeFrame(type: number, flags: number, stream: number, payload: Uint8Array = new Uint8Array(0), length = payload.length): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream >>> 0, 5);
  return Buffer.concat([head, payload]);
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export function settingsFrame(settings: [number, number][] = []): Buffer {
  return encodeFrame(FrameType.SETTINGS, 0, 0, Buffer.concat(settings.map(([id, v]) => Buffer.concat([Buffer.from([id >> 8, id & 0xff]), u32(v)]))));
}

export function parseSettings(payload: Buffer): [number, number][] {
  const out: [number, number][] = [];
  for (let at = 0; at + 6 <= payload.length; at += 6) out.push([payload.readUInt16BE(at), payload.readUInt32BE(at + 2)]);
  return out;
}

/** One line per frame, like nghttp -v: `HEADERS stream 1 <END_STREAM|END_HEADERS> length 23`, then what matters in it. */
export function describe(f: Frame, fields?: HeaderField[]): string {
  const flags: string[] = [];
  if (f.type === FrameType.SETTINGS || f.type === FrameType.PING) {
    if (f.flags & Flag.ACK) flags.push("ACK");
  } else {
    if (f.flags & Flag.END_STREAM && (f.type === FrameType.DATA || f.type === FrameType.HEADERS)) flags.push("END_STREAM");
    if (f.flags & Flag.END_HEADERS && f.type !== FrameType.DATA) flags.push("END_HEADERS");
    if (f.flags & Flag.PADDED) flags.push("PADDED");
  }
  let line = `${TYPE_NAMES[f.type] ?? `type 0x${f.type.toString(16)}`} stream ${f.stream}${flags.length ? ` <${flags.join("|")}>` : ""} length ${f.length}`;
  if (f.type === FrameType.SETTINGS) line += ` ${parseSettings(f.payload).map(([id, v]) => `${SETTING_NAMES[id] ?? id}=${v}`).join(" ")}`;
  if (f.type === FrameType.PING) line += ` ${f.payload.toString("hex")}`;
  if (f.type === FrameType.WINDOW_UPDATE && f.payload.length === 4) line += ` increment ${f.payload.readUInt32BE(0) & 0x7fffffff}`;
  if (f.type === FrameType.RST_STREAM && f.payload.length === 4) line += ` ${errorName(f.payload.readUInt32BE(0))}`;
  if (f.type === FrameType.GOAWAY && f.payload.length >= 8) line += ` last_stream ${f.payload.readUInt32BE(0) & 0x7fffffff} ${errorName(f.payload.readUInt32BE(4))}${f.payload.length > 8 ? ` "${visible(f.payload.subarray(8, 200))}"` : ""}`;
  if (f.type === FrameType.DATA && f.length > 0) line += f.length <= 60 ? ` "${visible(f.payload)}"` : ` "${visible(f.payload.subarray(0, 40))}…"`;
  if (fields) line += `\n${fields.map(([n, v]) => `      ${n}: ${v}`).join("\n")}`;
  return line;
}

/** A DATA frame's data: without the pad length octet and padding when PADDED (§6.1). */
export function dataPayload(f: Frame): Buffer {
  if (!(f.flags & Flag.PADDED) || f.payload.length === 0) return f.payload;
  return f.payload.subarray(1, Math.max(1, f.payload.length - f.payload[0]!));
}

export interface H2Response {
  stream: number;
  fields: HeaderField[];
  status: number;
  body: Buffer;
  /** Set when the stream ended with RST_STREAM instead: its error code. */
  reset?: number;
}

export function field(fields: HeaderField[], name: string): string | undefined {
  return fields.find(([n]) => n === name)?.[1];
}

export interface H2ClientOptions {
  name?: string;
  /** Our SETTINGS after the preface (default: none, i.e. the defaults). */
  settings?: [number, number][];
  /** Send the preface and SETTINGS at once (default true). */
  preface?: boolean;
}

/**
 * A raw HTTP/2 connection with prior knowledge. Frames the server sends are
 * read in order; `next` hands them over one by one, decoding header blocks
 * with the connection's HPACK decoder (so they must be decoded in order).
 */
export class H2Client {
  readonly decoder = new HpackDecoder();
  readonly encoder = new HpackEncoder();
  /** Every frame received so far, in order. */
  readonly received: Frame[] = [];
  private constructor(
    readonly tcp: TcpConnection,
    private readonly t: CaseContext,
  ) {}

  static async open(t: CaseContext, server: Program, o: H2ClientOptions = {}): Promise<H2Client> {
    const name = o.name ?? "h2 client";
    const tcp = await TcpConnection.open({ host: server.host, port: server.port, log: t.log, name, quiet: true });
    t.defer(() => tcp.close());
    t.log.output(`(${name}: HTTP/2 frames sent (>) and received (<) below, decoded)`);
    const c = new H2Client(tcp, t);
    if (o.preface ?? true) {
      t.log.output(`> ${visible(PREFACE)}    (the client connection preface)`);
      await c.send(settingsFrame(o.settings ?? []));
    }
    return c;
  }

  /** Sends frames (already encoded), logging each. */
  async send(...frames: Buffer[]): Promise<void> {
    for (const f of frames) {
      const length = f.readUIntBE(0, 3);
      this.t.log.output(`> ${describe({ length, type: f[3]!, flags: f[4]!, stream: f.readUInt32BE(5) & 0x7fffffff, payload: f.subarray(9) })}`);
    }
    const preface = this.sentPreface ? [] : [Buffer.from(PREFACE, "latin1")];
    this.sentPreface = true;
    await this.tcp.send(Buffer.concat([...preface, ...frames]));
  }
  private sentPreface = false;

  /** Sends raw bytes as they are (for a broken preface). */
  async sendRaw(bytes: Buffer | string, note: string): Promise<void> {
    this.sentPreface = true;
    this.t.log.output(`> ${visible(typeof bytes === "string" ? bytes : bytes.subarray(0, 100))}    (${note})`);
    await this.tcp.send(bytes);
  }

  get closed(): boolean {
    return this.tcp.closed && this.tcp.pending.length < 9;
  }

  /** The next frame from the server, or undefined if none (whole) came within timeoutMs or the connection closed. */
  async next(timeoutMs: number): Promise<Frame | undefined> {
    const whole = (b: Buffer) => b.length >= 9 && b.length >= 9 + b.readUIntBE(0, 3);
    const ok = await this.tcp.waitFor(whole, timeoutMs);
    // The case is over (its cleanup closed the connection): a read it never awaited must not fail the next case.
    if (caseEnded(this.t.signal)) return never();
    if (!ok) return undefined;
    const length = this.tcp.pending.readUIntBE(0, 3);
    const bytes = this.tcp.take(9 + length);
    const f: Frame = { length, type: bytes[3]!, flags: bytes[4]!, stream: bytes.readUInt32BE(5) & 0x7fffffff, payload: bytes.subarray(9) };
    this.received.push(f);
    this.t.log.output(`< ${describe(f)}`);
    return f;
  }

  /** Decodes a header block (HEADERS payload without padding/priority, plus CONTINUATION payloads); fails the case if it is not valid HPACK. */
  decodeBlock(block: Buffer, stream: number): HeaderField[] {
    try {
      const fields = this.decoder.decode(block);
      this.t.log.output(`  (stream ${stream} header fields)\n${fields.map(([n, v]) => `      ${n}: ${v}`).join("\n")}`);
      return fields;
    } catch (e) {
      const max = this.decoder.table.max;
      const hint = max < 4096 ? `${HPACK_HINT} This client's SETTINGS_HEADER_TABLE_SIZE is ${max}: your encoder's dynamic table must fit in it; announce the smaller size with a dynamic table size update at the start of your next block (RFC 7541 §4.2).` : HPACK_HINT;
      throw new StageFailure({ message: `The server's header block on stream ${stream} is not valid HPACK: ${(e as Error).message}.`, hint, detail: `block: ${block.toString("hex")}` });
    }
  }

  /** A HEADERS frame's header block fragment: without padding and priority fields (§6.2). */
  static headerFragment(f: Frame): Buffer {
    let p = f.payload;
    let pad = 0;
    if (f.flags & Flag.PADDED) {
      pad = p[0]!;
      p = p.subarray(1);
    }
    if (f.flags & Flag.PRIORITY) p = p.subarray(5);
    return p.subarray(0, p.length - pad);
  }

  /**
   * Reads frames until `done` says stop (returns true), the connection closes,
   * or timeoutMs passes; header blocks are decoded on the way (handed to
   * `done` with their HEADERS frame). Returns whether `done` said stop.
   */
  async until(done: (f: Frame, fields?: HeaderField[]) => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let block: { stream: number; parts: Buffer[]; first: Frame } | undefined;
    for (;;) {
      const f = await this.next(Math.max(0, deadline - Date.now()));
      if (!f) return false;
      if (f.type === FrameType.HEADERS || (f.type === FrameType.CONTINUATION && block)) {
        if (f.type === FrameType.HEADERS) block = { stream: f.stream, parts: [H2Client.headerFragment(f)], first: f };
        else block!.parts.push(f.payload);
        if (f.flags & Flag.END_HEADERS) {
          const b = block!;
          block = undefined;
          if (await done(b.first, this.decodeBlock(Buffer.concat(b.parts), b.stream))) return true;
        }
        continue;
      }
      if (f.type === FrameType.PING && !(f.flags & Flag.ACK)) await this.send(encodeFrame(FrameType.PING, Flag.ACK, 0, f.payload));
      if (await done(f)) return true;
    }
  }

  /** Reads until the server's first SETTINGS frame (the server preface, §3.4) and acknowledges it; returns its settings. */
  async serverPreface(fail: Omit<FailureDetails, "received">): Promise<[number, number][]> {
    const f = await this.next(3000);
    if (!f || f.type !== FrameType.SETTINGS || f.flags & Flag.ACK) {
      this.t.fail({ ...fail, received: f ? describe(f) : this.tcp.closed ? "the connection was closed" : "no frame within 3 s", expected: "a SETTINGS frame (without ACK) on stream 0, the server connection preface" });
    }
    await this.send(encodeFrame(FrameType.SETTINGS, Flag.ACK, 0));
    return parseSettings(f.payload);
  }

  /**
   * Collects responses on the given streams (HEADERS, DATA, until END_STREAM
   * or RST_STREAM), within timeoutMs; `onData` sees each DATA frame (to give
   * window back). `order` gets each stream id when its response completes.
   * Returns the responses by stream, complete or not.
   */
  async responses(streams: number[], timeoutMs: number, o: { onData?: (f: Frame) => Promise<void> | void; order?: number[] } = {}): Promise<Map<number, H2Response & { complete: boolean }>> {
    const out = new Map<number, H2Response & { complete: boolean; chunks: Buffer[] }>();
    for (const s of streams) out.set(s, { stream: s, fields: [], status: 0, body: Buffer.alloc(0), complete: false, chunks: [] });
    await this.until(async (f, fields) => {
      const r = out.get(f.stream);
      if (f.type === FrameType.DATA) await o.onData?.(f);
      if (!r || r.complete) return false;
      if (fields && r.status === 0) {
        r.fields = fields;
        r.status = Number(field(fields, ":status") ?? 0);
      }
      if (f.type === FrameType.DATA) r.chunks.push(dataPayload(f));
      if (f.type === FrameType.RST_STREAM && f.payload.length === 4) r.reset = f.payload.readUInt32BE(0);
      if (r.reset !== undefined || ((f.type === FrameType.DATA || f.type === FrameType.HEADERS) && f.flags & Flag.END_STREAM)) {
        r.complete = true;
        o.order?.push(f.stream);
      }
      return [...out.values()].every((x) => x.complete);
    }, timeoutMs);
    for (const r of out.values()) r.body = Buffer.concat(r.chunks);
    return out;
  }

  /** Waits (bounded) for a GOAWAY, or the close; returns the GOAWAY's error code, "closed" or "nothing". Other frames are skipped. */
  async goaway(timeoutMs: number): Promise<{ code: number; lastStream: number } | "closed" | "nothing"> {
    let got: { code: number; lastStream: number } | undefined;
    await this.until((f) => {
      if (f.type === FrameType.GOAWAY && f.payload.length >= 8) got = { lastStream: f.payload.readUInt32BE(0) & 0x7fffffff, code: f.payload.readUInt32BE(4) };
      return got !== undefined;
    }, timeoutMs);
    if (got) return got;
    return this.tcp.closed ? "closed" : "nothing";
  }

  /** A GET request's HEADERS frame (plain literals, END_STREAM|END_HEADERS). */
  get(stream: number, path: string, extra: HeaderField[] = [], method = "GET", endStream = true): Buffer {
    const block = this.encoder.plain([[":method", method], [":scheme", "http"], [":path", path], [":authority", "127.0.0.1"], ...extra]);
    return encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | (endStream ? Flag.END_STREAM : 0), stream, block);
  }

  close(): void {
    this.tcp.close();
  }
}

export const HPACK_HINT = "Header blocks are HPACK (RFC 7541): indexed fields (§6.1) and literals (§6.2) against the static table (Appendix A) and the dynamic table your encoder fills, strings raw or Huffman-coded (§5.2, Appendix B). The simplest valid encoding is literals without indexing, raw strings.";
