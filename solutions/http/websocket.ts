/**
 * WebSocket (RFC 6455) on GET /ws: the opening handshake answered from an
 * HTTP/1.1 request (§4.2), then frames both ways on the same connection
 * (§5): masked client frames unmasked, messages reassembled from fragments
 * and echoed back as one frame, ping answered with pong, the closing
 * handshake, and the connection failed with the right close code (§7.4)
 * when a client breaks the protocol.
 */
import { createHash } from "node:crypto";
import type { Request } from "./request.ts";
import { response, text, type Response } from "./response.ts";

/** §1.3: appended to the client's key before hashing. */
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** The largest message we take (a bigger one is closed with 1009). */
const MAX_MESSAGE = 1024 * 1024;

export interface WsOptions {
  /** Fixture switch: compute Sec-WebSocket-Accept without the GUID. */
  wsAcceptWithoutGuid?: boolean;
  /** Fixture switch: mask the frames the server sends. */
  wsMaskServerFrames?: boolean;
  /** Fixture switch: echo every data frame as it comes, ignoring fragmentation. */
  wsIgnoreFragments?: boolean;
  /** Fixture switch: check UTF-8 on each fragment of a text message instead of on the whole message. */
  wsUtf8PerFragment?: boolean;
  /** Fixture switch: a new text or binary frame in the middle of a fragmented message starts a new message (the old one dropped). */
  wsNewMessageRestarts?: boolean;
  /** Fixture switch: any Sec-WebSocket-Version of 13 or more is taken. */
  wsVersionAtLeast13?: boolean;
  /** Fixture switch: Upgrade must be exactly "websocket". */
  wsUpgradeExact?: boolean;
  /** Fixture switch: Connection must be exactly "Upgrade" (any case), not a list. */
  wsConnectionExact?: boolean;
  /** Fixture switch: the 101 carries Content-Length: 0. */
  ws101ContentLength?: boolean;
  /** Fixture switch: any non-empty Sec-WebSocket-Key is taken. */
  wsAnyKey?: boolean;
  /** Fixture switch: a 64-bit length for payloads of 65,535 bytes (the 16-bit form taken only below 65,535). */
  wsLongLengthAt65535?: boolean;
  /** Fixture switch: the 7-bit length used for payloads of 126 bytes too (126 there means "a 16-bit length follows"). */
  wsShortLengthAt126?: boolean;
  /** Fixture switch: the close frame sent back always says 1000. */
  wsCloseAlways1000?: boolean;
  /** Fixture switch: any close code is accepted. */
  wsAnyCloseCode?: boolean;
  /** Fixture switch: only codes below 1000 and 1005, 1006 are refused (1004, 1015 and the unassigned ones taken). */
  wsCloseCodesPartial?: boolean;
  /** Fixture switch: a close frame with a 1-byte body is taken as an empty one. */
  wsOneByteCloseAccepted?: boolean;
  /** Fixture switch: the close reason's UTF-8 is not checked. */
  wsCloseReasonUnchecked?: boolean;
  /** Fixture switch: close the TCP connection on a close frame without sending one back. */
  wsNoCloseReply?: boolean;
  /** Fixture switch: one more mistake in the frame layer (see WsMistake). */
  wsMistake?: WsMistake;
}

/**
 * Mistakes of the frame layer, one per fixture: messages echoed as text, a 64-bit length refused, echoes without FIN,
 * payloads unmasked with the key's first byte only; pongs without the ping's data, a ping that drops the message being
 * collected, unsolicited pongs answered; unmasked frames, RSV bits, reserved opcodes, long or fragmented control frames,
 * lone continuations and invalid UTF-8 in text taken; the TCP connection left open after the close frame; a 426
 * without Sec-WebSocket-Version, a 101 without Connection: Upgrade.
 */
export type WsMistake =
  | "binary-as-text"
  | "no-64-bit-length"
  | "echo-without-fin"
  | "mask-first-byte-only"
  | "pong-empty"
  | "ping-drops-message"
  | "pong-answered"
  | "unmasked-accepted"
  | "rsv-ignored"
  | "reserved-opcodes-ignored"
  | "long-control-frames"
  | "fragmented-control-frames"
  | "lone-continuation-accepted"
  | "text-utf8-unchecked"
  | "open-after-close"
  | "426-without-version"
  | "101-without-connection";

const tokens = (v: string | undefined) => (v ?? "").toLowerCase().split(",").map((s) => s.trim());

/** §4.2.1: a request that asks to upgrade to WebSocket. */
export function wantsWebSocket(req: Request, o: WsOptions = {}): boolean {
  if (o.wsUpgradeExact) return req.headers.get("upgrade") === "websocket";
  return tokens(req.headers.get("upgrade")).includes("websocket");
}

export function acceptKey(key: string, o: WsOptions = {}): string {
  return createHash("sha1").update(o.wsAcceptWithoutGuid ? key : key + GUID).digest("base64");
}

/** The handshake's answer: 101 and the accept key, or the error status to send instead (§4.2.1, §4.2.2). */
export function handshake(req: Request, path: string, o: WsOptions): { ok: true; response: Response } | { ok: false; response: Response } {
  const fail = (r: Response) => ({ ok: false as const, response: r });
  if (path !== "/ws") return fail(text(404, "Not Found\n"));
  if (req.method !== "GET" || req.version !== "HTTP/1.1") return fail(text(400, "A WebSocket handshake is an HTTP/1.1 GET\n"));
  if (o.wsConnectionExact ? req.headers.get("connection")?.toLowerCase() !== "upgrade" : !tokens(req.headers.get("connection")).includes("upgrade")) return fail(text(400, "Connection: Upgrade is missing\n"));
  if (o.wsVersionAtLeast13 ? !(Number(req.headers.get("sec-websocket-version")) >= 13) : req.headers.get("sec-websocket-version") !== "13") return fail(response(426, "Sec-WebSocket-Version 13 only\n", [["Content-Type", "text/plain"], ...(o.wsMistake === "426-without-version" ? [] : [["Sec-WebSocket-Version", "13"] as [string, string]]), ["Upgrade", "websocket"]]));
  const key = req.headers.get("sec-websocket-key") ?? "";
  if (o.wsAnyKey ? key === "" : !/^[A-Za-z0-9+/]{22}==$/.test(key) || Buffer.from(key, "base64").length !== 16) return fail(text(400, "Sec-WebSocket-Key must be 16 bytes in base64\n"));
  return {
    ok: true,
    response: { status: 101, body: Buffer.alloc(0), headers: [["Upgrade", "websocket"], ...(o.wsMistake === "101-without-connection" ? [] : [["Connection", "Upgrade"] as [string, string]]), ["Sec-WebSocket-Accept", acceptKey(key, o)], ...(o.ws101ContentLength ? [["Content-Length", "0"] as [string, string]] : [])] },
  };
}

/** A protocol violation: close the connection with this code (§7.4.1). */
class Fail extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** One frame's bytes (§5.2): FIN and opcode, payload length (7, 16 or 64 bits), the payload (masked only with the fixture). */
export function wsFrame(opcode: number, payload: Uint8Array, o: WsOptions = {}, fin = true): Buffer {
  const n = payload.length;
  const head = n < (o.wsShortLengthAt126 ? 127 : 126) ? Buffer.from([0, n]) : n < (o.wsLongLengthAt65535 ? 65535 : 65536) ? Buffer.from([0, 126, n >> 8, n & 0xff]) : Buffer.concat([Buffer.from([0, 127]), (() => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(n));
    return b;
  })()]);
  head[0] = (fin ? 0x80 : 0) | opcode;
  if (!o.wsMaskServerFrames) return Buffer.concat([head, payload]);
  head[1]! |= 0x80;
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  return Buffer.concat([head, mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))]);
}

/** §7.4.1: codes a peer may send in a close frame. */
function validCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
function validUtf8(b: Uint8Array): boolean {
  try {
    utf8.decode(b);
    return true;
  } catch {
    return false;
  }
}

export class WsConnection {
  private buffer = Buffer.alloc(0);
  /** A fragmented message being collected: its opcode and pieces. */
  private message: { opcode: number; parts: Buffer[]; size: number } | undefined;
  private closed = false;

  constructor(
    private readonly write: (b: Buffer) => void,
    private readonly end: () => void,
    private readonly o: WsOptions,
    private readonly log: (line: string) => void,
  ) {}

  feed(bytes: Uint8Array): void {
    if (this.closed) return;
    this.buffer = this.buffer.length === 0 ? Buffer.from(bytes) : Buffer.concat([this.buffer, bytes]);
    try {
      while (!this.closed) {
        const f = this.readFrame();
        if (!f) return;
        this.onFrame(f.fin, f.opcode, f.payload);
      }
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
      this.log(`websocket: closing with ${e.code}: ${e.message}`);
      this.close(e.code, e.message);
    }
  }

  /** The next whole frame (§5.2), unmasked, or undefined if it has not all arrived. */
  private readFrame(): { fin: boolean; opcode: number; payload: Buffer } | undefined {
    const b = this.buffer;
    if (b.length < 2) return undefined;
    const fin = (b[0]! & 0x80) !== 0;
    const mistake = this.o.wsMistake;
    if (b[0]! & 0x70 && mistake !== "rsv-ignored") throw new Fail(1002, "RSV bits set without a negotiated extension");
    const opcode = b[0]! & 0x0f;
    const masked = (b[1]! & 0x80) !== 0;
    if (!masked && mistake !== "unmasked-accepted") throw new Fail(1002, "a client frame that is not masked");
    let len = b[1]! & 0x7f;
    let at = 2;
    if (len === 126) {
      if (b.length < 4) return undefined;
      len = b.readUInt16BE(2);
      at = 4;
    } else if (len === 127) {
      if (mistake === "no-64-bit-length") throw new Fail(1009, "a 64-bit payload length");
      if (b.length < 10) return undefined;
      const big = b.readBigUInt64BE(2);
      if (big >> 63n) throw new Fail(1002, "a 64-bit payload length with its most significant bit set");
      if (big > BigInt(MAX_MESSAGE)) throw new Fail(1009, "a frame over 1 MiB");
      len = Number(big);
      at = 10;
    }
    const keyLength = masked ? 4 : 0;
    if (b.length < at + keyLength + len) return undefined;
    const mask = b.subarray(at, at + keyLength);
    const payload = Buffer.from(b.subarray(at + keyLength, at + keyLength + len));
    if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[mistake === "mask-first-byte-only" ? 0 : i % 4]!;
    this.buffer = b.subarray(at + keyLength + len);
    return { fin, opcode, payload };
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    const mistake = this.o.wsMistake;
    if (opcode >= 0x8) {
      // §5.5: control frames are never fragmented and carry at most 125 bytes.
      if (!fin && mistake !== "fragmented-control-frames") throw new Fail(1002, "a fragmented control frame");
      if (payload.length > 125 && mistake !== "long-control-frames") throw new Fail(1002, "a control frame over 125 bytes");
      if (opcode === 0x8) return this.onClose(payload);
      if (mistake === "ping-drops-message" && opcode === 0x9) this.message = undefined;
      if (opcode === 0x9) return this.write(wsFrame(0xa, mistake === "pong-empty" ? Buffer.alloc(0) : payload, this.o)); // §5.5.2: pong with the same data
      if (opcode === 0xa) return mistake === "pong-answered" ? this.write(wsFrame(0xa, payload, this.o)) : undefined; // §5.5.3: an unsolicited pong is ignored
      if (mistake === "reserved-opcodes-ignored") return;
      throw new Fail(1002, `reserved control opcode 0x${opcode.toString(16)}`);
    }
    if (opcode !== 0x0 && opcode !== 0x1 && opcode !== 0x2) {
      if (mistake === "reserved-opcodes-ignored") return;
      throw new Fail(1002, `reserved data opcode 0x${opcode.toString(16)}`);
    }
    if (this.o.wsIgnoreFragments) {
      if (opcode !== 0) this.write(wsFrame(opcode, payload, this.o));
      return;
    }
    if (opcode === 0x0) {
      if (!this.message && mistake === "lone-continuation-accepted") return;
      if (!this.message) throw new Fail(1002, "a continuation frame with no message to continue");
    } else {
      if (this.message && !this.o.wsNewMessageRestarts) throw new Fail(1002, "a new data frame in the middle of a fragmented message");
      this.message = { opcode, parts: [], size: 0 };
    }
    const m = this.message!;
    if (this.o.wsUtf8PerFragment && m.opcode === 0x1 && !validUtf8(payload)) throw new Fail(1007, "a text fragment that is not valid UTF-8");
    m.parts.push(payload);
    m.size += payload.length;
    if (m.size > MAX_MESSAGE) throw new Fail(1009, "a message over 1 MiB");
    if (!fin) return;
    this.message = undefined;
    const data = Buffer.concat(m.parts);
    // §8.1: a text message is UTF-8; invalid data fails the connection with 1007.
    if (m.opcode === 0x1 && !validUtf8(data) && mistake !== "text-utf8-unchecked") throw new Fail(1007, "a text message that is not valid UTF-8");
    this.write(wsFrame(mistake === "binary-as-text" ? 0x1 : m.opcode, data, this.o, mistake !== "echo-without-fin"));
  }

  /** §5.5.1, §7.1.5: a close frame's body is empty, or a 2-byte code and a UTF-8 reason. */
  private onClose(payload: Buffer): void {
    if (this.o.wsNoCloseReply) {
      this.closed = true;
      return this.end();
    }
    if (payload.length === 0 || (payload.length === 1 && this.o.wsOneByteCloseAccepted)) return this.close(undefined, "");
    if (payload.length === 1) throw new Fail(1002, "a close frame with a 1-byte body");
    const code = payload.readUInt16BE(0);
    const refused = this.o.wsCloseCodesPartial ? code < 1000 || code === 1005 || code === 1006 : !validCloseCode(code);
    if (refused && !this.o.wsAnyCloseCode) throw new Fail(1002, `close code ${code} is not one a peer may send`);
    if (!validUtf8(payload.subarray(2)) && !this.o.wsCloseReasonUnchecked) throw new Fail(1007, "a close reason that is not valid UTF-8");
    this.close(this.o.wsCloseAlways1000 ? 1000 : code, "");
  }

  /** Sends a close frame (with `code`, unless undefined) and closes the TCP connection (§7.1.1: the server closes it first). */
  private close(code: number | undefined, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    const body = code === undefined ? Buffer.alloc(0) : Buffer.concat([Buffer.from([code >> 8, code & 0xff]), Buffer.from(reason.slice(0, 100))]);
    this.write(wsFrame(0x8, body, this.o));
    if (this.o.wsMistake !== "open-after-close") this.end();
  }
}
