/** HTTP/2 frames (RFC 9113 §4, §6): the 9-octet header, types, flags, error codes, settings. */

/** §3.4: the client connection preface. */
export const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

export const DATA = 0x0;
export const HEADERS = 0x1;
export const PRIORITY = 0x2;
export const RST_STREAM = 0x3;
export const SETTINGS = 0x4;
export const PUSH_PROMISE = 0x5;
export const PING = 0x6;
export const GOAWAY = 0x7;
export const WINDOW_UPDATE = 0x8;
export const CONTINUATION = 0x9;

export const END_STREAM = 0x1;
export const ACK = 0x1;
export const END_HEADERS = 0x4;
export const PADDED = 0x8;
export const PRIORITY_FLAG = 0x20;

/** §7: error codes. */
export const NO_ERROR = 0x0;
export const PROTOCOL_ERROR = 0x1;
export const INTERNAL_ERROR = 0x2;
export const FLOW_CONTROL_ERROR = 0x3;
export const STREAM_CLOSED = 0x5;
export const FRAME_SIZE_ERROR = 0x6;
export const REFUSED_STREAM = 0x7;
export const CANCEL = 0x8;
export const COMPRESSION_ERROR = 0x9;

/** §6.5.2: setting identifiers. */
export const HEADER_TABLE_SIZE = 0x1;
export const ENABLE_PUSH = 0x2;
export const MAX_CONCURRENT_STREAMS = 0x3;
export const INITIAL_WINDOW_SIZE = 0x4;
export const MAX_FRAME_SIZE = 0x5;

/** §4.2, §6.9.1: limits. */
export const DEFAULT_MAX_FRAME_SIZE = 16384;
export const DEFAULT_WINDOW = 65535;
export const MAX_WINDOW = 2 ** 31 - 1;

export interface Frame {
  type: number;
  flags: number;
  stream: number;
  payload: Buffer;
}

/** A frame's 9-octet header: length (24 bits), type, flags, R + stream identifier (31 bits) (§4.1). */
export function frameHead(type: number, flags: number, stream: number, length: number): Buffer {
  const head = Buffer.allocUnsafe(9);
  head.writeUIntBE(length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream & 0x7fffffff, 5);
  return head;
}

/** One frame's bytes: its header, then the payload. */
export function frame(type: number, flags: number, stream: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const head = frameHead(type, flags, stream, payload.length);
  return payload.length === 0 ? head : Buffer.concat([head, payload]);
}

/** The first frame in `buf`, if whole: its header and how many bytes it used. */
export function readFrameHeader(buf: Buffer): { length: number; type: number; flags: number; stream: number } | undefined {
  if (buf.length < 9) return undefined;
  return { length: buf.readUIntBE(0, 3), type: buf[3]!, flags: buf[4]!, stream: buf.readUInt32BE(5) & 0x7fffffff };
}

export function settingsPayload(settings: [number, number][]): Buffer {
  const b = Buffer.alloc(6 * settings.length);
  settings.forEach(([id, value], i) => {
    b.writeUInt16BE(id, 6 * i);
    b.writeUInt32BE(value, 6 * i + 2);
  });
  return b;
}

export function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

export function goawayPayload(lastStream: number, code: number, debug: string): Buffer {
  return Buffer.concat([u32(lastStream), u32(code), Buffer.from(debug)]);
}
