/**
 * Capture files. Writing: classic pcap (the format tcpdump -w writes):
 * a 24-byte global header (magic 0xa1b2c3d4 for microsecond times, version
 * 2.4, snapshot length, link type 1 = Ethernet) and per frame a 16-byte record
 * header (seconds, microseconds, captured length, original length) then the
 * bytes, all in this machine's byte order (little-endian here).
 * Reading: classic pcap in either byte order, with microsecond (0xa1b2c3d4)
 * or nanosecond (0xa1b23c4d) times, and pcapng (what tshark and dumpcap
 * write): section header, interface description (link type, if_tsresol) and
 * enhanced packet blocks.
 */
import { closeSync, openSync, writeSync } from "node:fs";

export const SNAPLEN = 262144;
const LINKTYPE_ETHERNET = 1;

export interface Record {
  sec: number;
  /** Microseconds within the second. */
  usec: number;
  frame: Uint8Array;
  /** Length on the wire (the frame may have been cut to the snapshot length). */
  length: number;
}

export interface PcapWriterOptions {
  snaplen?: number;
  /** Write the record headers in this byte order (a fixture's mistake: the magic still says little-endian). */
  recordsBigEndian?: boolean;
  /** What goes in the microseconds field (a fixture's mistake). */
  fraction?: (usec: number) => number;
}

/**
 * Writes pcap records, buffered as tcpdump's -w is (stdio): records collect
 * in memory and go out in one write() when 64 KiB are pending, when the
 * caller flushes (after each batch of frames the reader hands over), and on
 * close; not two system calls per frame.
 */
export class PcapWriter {
  private readonly fd: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    path: string,
    private readonly opts: PcapWriterOptions = {},
  ) {
    this.fd = openSync(path, "w");
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(opts.snaplen ?? SNAPLEN, 16);
    h.writeUInt32LE(LINKTYPE_ETHERNET, 20);
    writeSync(this.fd, h);
  }

  write(r: Record): void {
    const kept = r.frame.subarray(0, this.opts.snaplen ?? SNAPLEN);
    const h = Buffer.alloc(16);
    const put = (v: number, at: number) => (this.opts.recordsBigEndian ? h.writeUInt32BE(v, at) : h.writeUInt32LE(v, at));
    put(r.sec, 0);
    put(this.opts.fraction ? this.opts.fraction(r.usec) : r.usec, 4);
    put(kept.length, 8);
    put(r.length, 12);
    this.pending.push(h, Buffer.from(kept.buffer, kept.byteOffset, kept.byteLength));
    this.pendingBytes += 16 + kept.length;
    if (this.pendingBytes >= 65536) this.flush();
  }

  /** Writes out the records collected so far. */
  flush(): void {
    if (this.pendingBytes === 0) return;
    writeSync(this.fd, Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

export class CaptureFileError extends Error {}

/** The records of a pcap or pcapng file, in order. */
export function readCaptureFile(data: Buffer): Record[] {
  if (data.length < 4) throw new CaptureFileError("truncated dump file; tried to read 4 file header bytes, only got " + data.length);
  if (data.readUInt32LE(0) === 0x0a0d0d0a) return readPcapng(data);
  return readPcap(data);
}

function readPcap(data: Buffer): Record[] {
  if (data.length < 24) throw new CaptureFileError(`truncated dump file; tried to read 24 file header bytes, only got ${data.length}`);
  const magicLE = data.readUInt32LE(0);
  const magicBE = data.readUInt32BE(0);
  const le = magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d;
  if (!le && magicBE !== 0xa1b2c3d4 && magicBE !== 0xa1b23c4d) throw new CaptureFileError("bad dump file format");
  const u32 = (at: number) => (le ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const nano = u32(0) === 0xa1b23c4d;
  const linktype = u32(20) & 0x0fffffff;
  if (linktype !== LINKTYPE_ETHERNET) throw new CaptureFileError(`link type ${linktype} is not Ethernet`);
  const records: Record[] = [];
  for (let at = 24; at + 16 <= data.length; ) {
    const caplen = u32(at + 8);
    if (at + 16 + caplen > data.length) throw new CaptureFileError("truncated dump file");
    const frac = u32(at + 4);
    records.push({ sec: u32(at), usec: nano ? Math.floor(frac / 1000) : frac, frame: data.subarray(at + 16, at + 16 + caplen), length: u32(at + 12) });
    at += 16 + caplen;
  }
  return records;
}

interface Interface {
  linktype: number;
  /** Timestamp units per second. */
  unitsPerSecond: bigint;
}

function readPcapng(data: Buffer): Record[] {
  const records: Record[] = [];
  let le = true;
  let interfaces: Interface[] = [];
  for (let at = 0; at + 12 <= data.length; ) {
    const type = data.readUInt32LE(at);
    if (type === 0x0a0d0d0a) {
      // Section header: the byte-order magic decides how the rest of the section reads.
      le = data.readUInt32LE(at + 8) === 0x1a2b3c4d;
      if (!le && data.readUInt32BE(at + 8) !== 0x1a2b3c4d) throw new CaptureFileError("bad pcapng byte-order magic");
      interfaces = [];
    }
    const u32 = (o: number) => (le ? data.readUInt32LE(o) : data.readUInt32BE(o));
    const u16 = (o: number) => (le ? data.readUInt16LE(o) : data.readUInt16BE(o));
    const length = u32(at + 4);
    if (length < 12 || at + length > data.length) throw new CaptureFileError("truncated pcapng block");
    const body = at + 8;
    const end = at + length - 4;
    if (u32(at) === 1) {
      // Interface description: link type, then options; if_tsresol (9) sets the time unit (default microseconds).
      let unitsPerSecond = 1_000_000n;
      for (let o = body + 8; o + 4 <= end; ) {
        const [code, len] = [u16(o), u16(o + 2)];
        if (code === 0) break;
        if (code === 9 && len >= 1) {
          const v = data[o + 4]!;
          unitsPerSecond = v & 0x80 ? 1n << BigInt(v & 0x7f) : 10n ** BigInt(v);
        }
        o += 4 + Math.ceil(len / 4) * 4;
      }
      interfaces.push({ linktype: u16(body), unitsPerSecond });
    } else if (u32(at) === 6) {
      // Enhanced packet: interface id, 64-bit timestamp (high, low), captured and original lengths, data.
      const iface = interfaces[u32(body)];
      if (!iface) throw new CaptureFileError("packet for an undescribed interface");
      if (iface.linktype !== LINKTYPE_ETHERNET) throw new CaptureFileError(`link type ${iface.linktype} is not Ethernet`);
      const ts = (BigInt(u32(body + 4)) << 32n) | BigInt(u32(body + 8));
      const caplen = u32(body + 12);
      const sec = ts / iface.unitsPerSecond;
      const usec = ((ts % iface.unitsPerSecond) * 1_000_000n) / iface.unitsPerSecond;
      records.push({ sec: Number(sec), usec: Number(usec), frame: data.subarray(body + 20, body + 20 + caplen), length: u32(body + 16) });
    }
    at += length;
  }
  return records;
}
