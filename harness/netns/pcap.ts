/**
 * Writes frames as a classic pcap file (microsecond timestamps, little-endian,
 * link type 1 = Ethernet), so that `tcpdump -r` and `tshark -r` can say what
 * the same frames look like: the expected output for a capture of them.
 */
export interface TimedFrame {
  /** Capture time in microseconds since the epoch. */
  timeUs: number;
  frame: Uint8Array;
}

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const LINKTYPE_ETHERNET = 1;

export interface PcapOptions {
  snaplen?: number;
  /** Nanosecond times (magic a1b23c4d): each frame's `extraNs` (0-999) is added to its microseconds. */
  nanoseconds?: boolean;
  /** Big-endian fields, as a big-endian machine writes them (the magic then reads d4c3b2a1 little-endian). */
  bigEndian?: boolean;
}

export function pcapFile(frames: readonly (TimedFrame & { extraNs?: number })[], opts: PcapOptions = {}): Buffer {
  const snaplen = opts.snaplen ?? 262144;
  const u32 = (b: Buffer, v: number, at: number) => (opts.bigEndian ? b.writeUInt32BE(v, at) : b.writeUInt32LE(v, at));
  const u16 = (b: Buffer, v: number, at: number) => (opts.bigEndian ? b.writeUInt16BE(v, at) : b.writeUInt16LE(v, at));
  const header = Buffer.alloc(24);
  u32(header, opts.nanoseconds ? PCAP_MAGIC_NS : PCAP_MAGIC_US, 0);
  u16(header, 2, 4);
  u16(header, 4, 6);
  u32(header, snaplen, 16);
  u32(header, LINKTYPE_ETHERNET, 20);
  const records = frames.flatMap(({ timeUs, frame, extraNs }) => {
    const r = Buffer.alloc(16);
    const usec = Math.round(timeUs % 1e6);
    u32(r, Math.floor(timeUs / 1e6), 0);
    u32(r, opts.nanoseconds ? usec * 1000 + (extraNs ?? 0) : usec, 4);
    const kept = Math.min(frame.length, snaplen);
    u32(r, kept, 8);
    u32(r, frame.length, 12);
    return [r, Buffer.from(frame.subarray(0, kept))];
  });
  return Buffer.concat([header, ...records]);
}
