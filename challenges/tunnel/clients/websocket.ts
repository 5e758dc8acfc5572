/**
 * A WebSocket (RFC 6455) at either end of a StreamSocket, for tests that
 * carry one through an intermediary: the local service's side of the opening
 * handshake (§4.2.2), and frames both ways, decoded and logged. Frames are
 * built, and the accept value computed, by http-websocket.ts.
 */
import { clientFrame, describeFrame, expectedAccept, type WsFrame } from "../../../harness/clients/http-websocket.ts";
import type { ServiceRequest } from "../../../harness/clients/local-service.ts";
import type { StreamSocket } from "./stream-socket.ts";

/** The frame at the start of `buf`, unmasked, with the bytes it took; undefined if it has not all arrived. */
export function decodeWsFrame(buf: Buffer): (WsFrame & { used: number }) | undefined {
  if (buf.length < 2) return undefined;
  const masked = (buf[1]! & 0x80) !== 0;
  let len = buf[1]! & 0x7f;
  let at = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    at = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    at = 10;
  }
  const key = masked ? buf.subarray(at, at + 4) : undefined;
  if (masked) at += 4;
  if (buf.length < at + len) return undefined;
  const payload = Buffer.from(buf.subarray(at, at + len));
  if (key) for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i & 3]!;
  return { fin: (buf[0]! & 0x80) !== 0, rsv: (buf[0]! >> 4) & 7, opcode: buf[0]! & 0x0f, masked, payload, used: at + len };
}

/** Frames on a connection after its handshake: one side of a WebSocket (a client masks its frames, §5.3). */
export class WsPeer {
  constructor(
    private readonly conn: StreamSocket,
    /** Where the frames start in the connection's bytes (after the handshake). */
    private at: number,
    private readonly isClient: boolean,
    private readonly mask: () => Uint8Array,
  ) {}

  async send(opcode: number, payload: Uint8Array | string, log = true): Promise<void> {
    const bytes = typeof payload === "string" ? Buffer.from(payload) : Buffer.from(payload);
    await this.conn.write(clientFrame(opcode, bytes, { mask: this.isClient ? this.mask() : false }), false);
    if (log) this.conn.log(`> ${describeFrame({ fin: true, rsv: 0, opcode, masked: this.isClient, payload: bytes })}`);
  }

  /** The next frame, waiting at most `timeoutMs`; undefined if none came whole. */
  async next(timeoutMs: number): Promise<WsFrame | undefined> {
    let frame: ReturnType<typeof decodeWsFrame>;
    await this.conn.until(() => (frame = decodeWsFrame(this.conn.bytes().subarray(this.at))) !== undefined, timeoutMs);
    if (!frame) return undefined;
    this.at += frame.used;
    this.conn.log(`< ${describeFrame(frame)}`);
    return frame;
  }
}

/**
 * Answers a WebSocket opening handshake on the local service (RFC 6455 §4.2.2):
 * 101 with the accept value, then the frames. A request that is not an
 * upgrade gets 426 Upgrade Required, and undefined.
 */
export async function acceptWebSocket(req: ServiceRequest): Promise<WsPeer | undefined> {
  const key = req.header("sec-websocket-key");
  const upgrade = /\bwebsocket\b/i.test(req.header("upgrade") ?? "") && /\bupgrade\b/i.test(req.header("connection") ?? "");
  if (!upgrade || !key) {
    await req.reply(426, [["Upgrade", "websocket"]], `expected a WebSocket upgrade (Connection: ${req.header("connection") ?? "(none)"}, Upgrade: ${req.header("upgrade") ?? "(none)"})\n`);
    return undefined;
  }
  await req.conn.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${expectedAccept(key)}\r\n\r\n`, false);
  return new WsPeer(req.conn, req.conn.received - req.bodyReceived, false, () => new Uint8Array(4));
}
