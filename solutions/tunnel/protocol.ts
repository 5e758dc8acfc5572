/**
 * The reference's wire protocol between tunnel client and server: frames on
 * one TCP connection, each a 9-byte header then a payload:
 *
 *   type (1 byte) | stream id (4 bytes, big-endian) | payload length (4 bytes, big-endian) | payload
 *
 * Stream 0 is the connection itself (HELLO, WELCOME, PING, PONG); every other
 * id is one public connection (opened by the server with OPEN).
 */
export const FrameType = {
  /** client → server, stream 0: JSON {token, http?: name, tcp?: port}. */
  Hello: 1,
  /** server → client, stream 0: JSON {ok: true, url} or {ok: false, error}. */
  Welcome: 2,
  /** server → client: a new public connection on this stream id. */
  Open: 3,
  /** either way: bytes of the stream; counts against the receiver's window. */
  Data: 4,
  /** either way: 4-byte window increment (the receiver consumed that many bytes). */
  Window: 5,
  /** either way: the sender will send no more bytes on the stream (a TCP FIN). */
  End: 6,
  /** either way: the stream is aborted (UTF-8 reason). */
  Reset: 7,
  /** either way, stream 0: keep-alive probe (8 opaque bytes) and its answer. */
  Ping: 8,
  Pong: 9,
} as const;

export type FrameTypeValue = (typeof FrameType)[keyof typeof FrameType];

export interface Frame {
  type: number;
  stream: number;
  payload: Buffer;
}

export const HEADER_BYTES = 9;
/** Largest payload a peer may send; DATA frames are cut to MAX_DATA. */
export const MAX_PAYLOAD = 1 << 20;
export const MAX_DATA = 32 * 1024;
/** Bytes a sender may have outstanding on one stream before the receiver grants more (RFC 9113 §6.9 model). */
export const INITIAL_WINDOW = 256 * 1024;

export function encodeFrame(type: number, stream: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  out.writeUInt8(type, 0);
  out.writeUInt32BE(stream, 1);
  out.writeUInt32BE(payload.length, 5);
  out.set(payload, HEADER_BYTES);
  return out;
}

/** Cuts a byte stream into frames; throws on a payload over MAX_PAYLOAD. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private length = 0;

  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.length += chunk.length;
    const frames: Frame[] = [];
    let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    let off = 0;
    while (buf.length - off >= HEADER_BYTES) {
      const len = buf.readUInt32BE(off + 5);
      if (len > MAX_PAYLOAD) throw new Error(`frame payload of ${len} bytes is over the ${MAX_PAYLOAD}-byte limit`);
      if (buf.length - off < HEADER_BYTES + len) break;
      frames.push({ type: buf.readUInt8(off), stream: buf.readUInt32BE(off + 1), payload: buf.subarray(off + HEADER_BYTES, off + HEADER_BYTES + len) });
      off += HEADER_BYTES + len;
    }
    buf = buf.subarray(off);
    this.chunks = buf.length > 0 ? [buf] : [];
    this.length = buf.length;
    return frames;
  }
}

export function windowPayload(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n, 0);
  return b;
}
