/**
 * TCP streams, as tshark follows them (`-z follow,tcp,ascii,<n>`): the
 * segments of a capture grouped into conversations (one per pair of
 * address:port endpoints, numbered in order of their first frame), and each
 * direction's bytes put back in sequence order. Bytes are delivered once, in
 * the order of the stream: a segment ahead of the next expected byte waits
 * until the gap before it is filled; a duplicate is dropped; of a segment
 * that overlaps bytes already delivered only its new bytes count (the bytes
 * delivered first win). Each delivery is a chunk, printed on its own.
 */
import { ipv4, u16, u32 } from "./bytes.ts";
import { ip6 } from "./ip6.ts";
import type { Record } from "./pcap.ts";

export interface Segment {
  /** "address:port" of each end (IPv6 addresses in brackets). */
  src: string;
  dst: string;
  seq: number;
  syn: boolean;
  data: Uint8Array;
  /** The frame's length on the wire, and its time in microseconds (for statistics). */
  length: number;
  timeUs: number;
}

/** The TCP segment a frame carries (IPv4, not a later fragment; or IPv6 with TCP as its next header), or undefined. */
export function tcpSegment(r: Record): Segment | undefined {
  const f = r.frame;
  if (f.length < 14) return undefined;
  const type = u16(f, 12);
  let src: string;
  let dst: string;
  let at: number;
  let end: number;
  if (type === 0x0800 && f.length >= 34 && f[23] === 6 && (u16(f, 20) & 0x1fff) === 0) {
    at = 14 + (f[14]! & 0xf) * 4;
    end = Math.min(14 + u16(f, 16), f.length);
    [src, dst] = [ipv4(f, 26), ipv4(f, 30)];
  } else if (type === 0x86dd && f.length >= 54 && f[20] === 6) {
    at = 54;
    end = Math.min(54 + u16(f, 18), f.length);
    [src, dst] = [`[${ip6(f, 22)}]`, `[${ip6(f, 38)}]`];
  } else return undefined;
  if (at + 20 > end) return undefined;
  const dataAt = at + (f[at + 12]! >> 4) * 4;
  return {
    src: `${src}:${u16(f, at)}`,
    dst: `${dst}:${u16(f, at + 2)}`,
    seq: u32(f, at + 4),
    syn: (f[at + 13]! & 0x02) !== 0,
    data: f.subarray(Math.min(dataAt, end), end),
    length: r.length,
    timeUs: r.sec * 1e6 + r.usec,
  };
}

/** The conversations of a capture in order of their first frame, each with its segments; node 0 is the first frame's source. */
export function conversations(records: Record[]): { nodes: [string, string]; segments: Segment[] }[] {
  const byKey = new Map<string, { nodes: [string, string]; segments: Segment[] }>();
  for (const r of records) {
    const s = tcpSegment(r);
    if (!s) continue;
    const key = [s.src, s.dst].sort().join(" ");
    let c = byKey.get(key);
    if (!c) byKey.set(key, (c = { nodes: [s.src, s.dst], segments: [] }));
    c.segments.push(s);
  }
  return [...byKey.values()];
}

export interface Chunk {
  /** 0: from node 0, 1: from node 1. */
  node: 0 | 1;
  data: Uint8Array;
}

export interface FollowOptions {
  /** Deliver every segment's data as it arrives, in arrival order (a fixture's mistake). */
  arrivalOrder?: boolean;
  /** Of a segment overlapping delivered bytes, deliver all of it again (a fixture's mistake). */
  wholeOverlaps?: boolean;
  /** Deliver a waiting segment in the same chunk as the one that filled the gap before it (a fixture's mistake). */
  mergeWaiting?: boolean;
  /** Deliver a segment whose bytes were all delivered already, again (a fixture's mistake). */
  keepDuplicates?: boolean;
  /** Count sequence numbers without wrapping at 2^32 (a fixture's mistake). */
  noWrap?: boolean;
  /** Make node 0 the end whose text sorts first (a fixture's mistake). */
  nodesSorted?: boolean;
  /** The number of the first stream (tshark: 0; a fixture's mistake: 1). */
  firstStream?: number;
}

/** One direction's reassembly: the next byte expected (relative to the first), and the segments waiting beyond a gap. */
class Direction {
  private base?: number;
  private next = 0;
  private waiting: { at: number; data: Uint8Array }[] = [];

  constructor(private readonly opts: FollowOptions) {}

  /** The chunks this segment delivers. */
  receive(s: Segment): Uint8Array[] {
    // Sequence numbers count modulo 2^32 from the first segment seen (a SYN's own number is not a byte of the stream).
    this.base ??= (s.seq + (s.syn ? 1 : 0)) >>> 0;
    if (s.data.length === 0) return [];
    const at = this.opts.noWrap ? s.seq + (s.syn ? 1 : 0) - this.base : (s.seq + (s.syn ? 1 : 0) - this.base) | 0;
    if (this.opts.arrivalOrder) return [s.data];
    if (at > this.next) {
      this.waiting.push({ at, data: s.data });
      return [];
    }
    const out: Uint8Array[] = [];
    this.take(at, s.data, out);
    // Waiting segments the stream has now reached, in the order they came.
    for (let i = this.waiting.findIndex((w) => w.at <= this.next); i !== -1; i = this.waiting.findIndex((w) => w.at <= this.next)) {
      const [w] = this.waiting.splice(i, 1);
      this.take(w!.at, w!.data, out);
    }
    if (this.opts.mergeWaiting && out.length > 1) return [Buffer.concat(out)];
    return out;
  }

  private take(at: number, data: Uint8Array, out: Uint8Array[]): void {
    const end = at + data.length;
    if (end <= this.next) {
      if (this.opts.keepDuplicates) out.push(data);
      return;
    }
    out.push(this.opts.wholeOverlaps ? data : data.subarray(this.next - at));
    this.next = end;
  }
}

/** The chunks of a conversation's two byte streams, in the order they were delivered. */
export function follow(segments: Segment[], node0: string, opts: FollowOptions = {}): Chunk[] {
  const dirs = [new Direction(opts), new Direction(opts)];
  const chunks: Chunk[] = [];
  for (const s of segments) {
    const node = s.src === node0 ? 0 : 1;
    for (const data of dirs[node]!.receive(s)) chunks.push({ node, data });
  }
  return chunks;
}

/** tshark's ascii view of bytes: printable ASCII, CR and LF as they are, every other byte a dot. */
export function asciiView(data: Uint8Array, printable: (b: number) => boolean = (b) => (b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d): string {
  let s = "";
  for (const b of data) s += printable(b) ? String.fromCharCode(b) : ".";
  return s;
}

export const RULE = "=".repeat(67);

export interface FollowStyle {
  /** How bytes show (a fixture replaces it). */
  ascii?: (data: Uint8Array) => string;
  /** What goes before node 1's chunk lengths (tshark: a tab; a fixture uses none). */
  indent?: string;
}

/** `-z follow,tcp,ascii,<n>`: what tshark -q prints for stream n of these records. */
export function followText(records: Record[], n: number, opts: FollowOptions = {}, style: FollowStyle = {}): string {
  const c = conversations(records)[n - (opts.firstStream ?? 0)];
  const [node0, node1]: [string, string] = c ? (opts.nodesSorted ? ([...c.nodes].sort() as [string, string]) : c.nodes) : [":0", ":0"];
  const lines = ["", RULE, "Follow: tcp,ascii", `Filter: tcp.stream eq ${n}`, `Node 0: ${node0}`, `Node 1: ${node1}`];
  for (const chunk of c ? follow(c.segments, node0, opts) : []) {
    lines.push(`${chunk.node === 1 ? (style.indent ?? "\t") : ""}${chunk.data.length}`, (style.ascii ?? asciiView)(chunk.data));
  }
  lines.push(RULE);
  return `${lines.join("\n")}\n`;
}
