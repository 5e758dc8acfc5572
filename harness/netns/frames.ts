/**
 * Crafting frames byte by byte: Ethernet II, ARP (RFC 826), IPv4 (RFC 791),
 * ICMP (RFC 792), UDP (RFC 768) and TCP (RFC 9293) with correct checksums, so
 * a test can put exactly the packets it wants on a wire.
 */

export function macBytes(mac: string): Buffer {
  const parts = mac.split(":");
  if (parts.length !== 6) throw new Error(`not a MAC address: ${mac}`);
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

export function ipBytes(ip: string): Buffer {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) throw new Error(`not an IPv4 address: ${ip}`);
  return Buffer.from(parts);
}

export const ETHERTYPE = { ipv4: 0x0800, arp: 0x0806, ipv6: 0x86dd } as const;
export const IPPROTO = { icmp: 1, tcp: 6, udp: 17 } as const;

/** The Internet checksum (RFC 1071) of some bytes. */
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const b of parts) {
    for (const byte of b) {
      if (odd === undefined) odd = byte;
      else {
        sum += (odd << 8) | byte;
        odd = undefined;
      }
    }
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function ethernet(dst: string, src: string, type: number, payload: Uint8Array): Buffer {
  const h = Buffer.alloc(14);
  macBytes(dst).copy(h, 0);
  macBytes(src).copy(h, 6);
  h.writeUInt16BE(type, 12);
  return Buffer.concat([h, payload]);
}

export interface Arp {
  op: "request" | "reply";
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

/** An ARP packet for Ethernet and IPv4 (28 bytes). */
export function arp(a: Arp): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt16BE(1, 0); // hardware: Ethernet
  b.writeUInt16BE(ETHERTYPE.ipv4, 2);
  b[4] = 6;
  b[5] = 4;
  b.writeUInt16BE(a.op === "request" ? 1 : 2, 6);
  macBytes(a.senderMac).copy(b, 8);
  ipBytes(a.senderIp).copy(b, 14);
  macBytes(a.targetMac).copy(b, 18);
  ipBytes(a.targetIp).copy(b, 24);
  return b;
}

export interface Ipv4 {
  src: string;
  dst: string;
  protocol: number;
  payload: Uint8Array;
  ttl?: number;
  id?: number;
  tos?: number;
  dontFragment?: boolean;
  moreFragments?: boolean;
  /** In bytes (a multiple of 8). */
  fragmentOffset?: number;
  /** Total length to write instead of the real one (for a truncated packet). */
  totalLength?: number;
}

export function ipv4(p: Ipv4): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h[1] = p.tos ?? 0;
  h.writeUInt16BE(p.totalLength ?? 20 + p.payload.length, 2);
  h.writeUInt16BE(p.id ?? 0, 4);
  const off = (p.fragmentOffset ?? 0) / 8;
  if (!Number.isInteger(off)) throw new Error("an IPv4 fragment offset is a multiple of 8 bytes");
  h.writeUInt16BE((p.dontFragment ? 0x4000 : 0) | (p.moreFragments ? 0x2000 : 0) | off, 6);
  h[8] = p.ttl ?? 64;
  h[9] = p.protocol;
  ipBytes(p.src).copy(h, 12);
  ipBytes(p.dst).copy(h, 16);
  h.writeUInt16BE(internetChecksum(h), 10);
  return Buffer.concat([h, p.payload]);
}

/** An ICMP message: type, code, the 4 bytes after the checksum, and data. */
export function icmp(type: number, code: number, rest: Uint8Array, data: Uint8Array = new Uint8Array()): Buffer {
  const b = Buffer.concat([Buffer.from([type, code, 0, 0]), Buffer.from(rest), Buffer.from(data)]);
  b.writeUInt16BE(internetChecksum(b), 2);
  return b;
}

/** ICMP echo request (type 8) or reply (type 0) with an identifier and sequence number. */
export function icmpEcho(kind: "request" | "reply", id: number, seq: number, data: Uint8Array): Buffer {
  const rest = Buffer.alloc(4);
  rest.writeUInt16BE(id, 0);
  rest.writeUInt16BE(seq, 2);
  return icmp(kind === "request" ? 8 : 0, 0, rest, data);
}

function pseudoHeader(src: string, dst: string, protocol: number, length: number): Buffer {
  const p = Buffer.alloc(12);
  ipBytes(src).copy(p, 0);
  ipBytes(dst).copy(p, 4);
  p[9] = protocol;
  p.writeUInt16BE(length, 10);
  return p;
}

export function udp(src: string, dst: string, srcPort: number, dstPort: number, payload: Uint8Array): Buffer {
  const b = Buffer.alloc(8 + payload.length);
  b.writeUInt16BE(srcPort, 0);
  b.writeUInt16BE(dstPort, 2);
  b.writeUInt16BE(b.length, 4);
  Buffer.from(payload).copy(b, 8);
  b.writeUInt16BE(internetChecksum(pseudoHeader(src, dst, IPPROTO.udp, b.length), b) || 0xffff, 6);
  return b;
}

export const TCP_FLAGS = { fin: 0x01, syn: 0x02, rst: 0x04, psh: 0x08, ack: 0x10, urg: 0x20, ece: 0x40, cwr: 0x80 } as const;
export type TcpFlag = keyof typeof TCP_FLAGS;

export type TcpOption = { kind: "mss"; value: number } | { kind: "sackOK" } | { kind: "ts"; val: number; ecr: number } | { kind: "nop" } | { kind: "wscale"; shift: number } | { kind: "eol" };

export function tcpOptions(opts: TcpOption[]): Buffer {
  const parts = opts.map((o): Buffer => {
    switch (o.kind) {
      case "eol":
        return Buffer.from([0]);
      case "nop":
        return Buffer.from([1]);
      case "mss":
        return Buffer.from([2, 4, o.value >> 8, o.value & 255]);
      case "wscale":
        return Buffer.from([3, 3, o.shift]);
      case "sackOK":
        return Buffer.from([4, 2]);
      case "ts": {
        const b = Buffer.alloc(10);
        b[0] = 8;
        b[1] = 10;
        b.writeUInt32BE(o.val >>> 0, 2);
        b.writeUInt32BE(o.ecr >>> 0, 6);
        return b;
      }
    }
  });
  const all = Buffer.concat(parts);
  return Buffer.concat([all, Buffer.alloc((4 - (all.length % 4)) % 4)]);
}

export interface Tcp {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack?: number;
  flags: TcpFlag[];
  window?: number;
  urgent?: number;
  options?: TcpOption[];
  payload?: Uint8Array;
}

export function tcp(t: Tcp): Buffer {
  const opts = tcpOptions(t.options ?? []);
  const payload = Buffer.from(t.payload ?? new Uint8Array());
  const h = Buffer.alloc(20);
  h.writeUInt16BE(t.srcPort, 0);
  h.writeUInt16BE(t.dstPort, 2);
  h.writeUInt32BE(t.seq >>> 0, 4);
  h.writeUInt32BE((t.ack ?? 0) >>> 0, 8);
  h[12] = ((20 + opts.length) / 4) << 4;
  h[13] = t.flags.reduce((f, name) => f | TCP_FLAGS[name], 0);
  h.writeUInt16BE(t.window ?? 64240, 14);
  h.writeUInt16BE(t.urgent ?? 0, 18);
  const seg = Buffer.concat([h, opts, payload]);
  seg.writeUInt16BE(internetChecksum(pseudoHeader(t.src, t.dst, IPPROTO.tcp, seg.length), seg), 16);
  return seg;
}

/** An IPv6 address in any RFC 4291 text form, as 16 bytes. */
export function ip6Bytes(ip: string): Buffer {
  // A trailing dotted quad (::ffff:192.0.2.1) is the last two groups.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    ip = `${ip.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = ip.includes("::") ? ip.split("::") : [ip, undefined];
  const groups = (s: string | undefined) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const [h, t] = [groups(head), groups(tail)];
  const all = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill(0), ...t];
  if (all.length !== 8 || all.some((g) => !(g >= 0 && g <= 0xffff))) throw new Error(`not an IPv6 address: ${ip}`);
  const b = Buffer.alloc(16);
  all.forEach((g, i) => b.writeUInt16BE(g, i * 2));
  return b;
}

export const IPPROTO6 = { hopByHop: 0, tcp: 6, udp: 17, routing: 43, fragment: 44, icmpv6: 58, none: 59, destination: 60 } as const;

export interface Ipv6 {
  src: string;
  dst: string;
  /** The Next Header of the fixed header. */
  nextHeader: number;
  payload: Uint8Array;
  hopLimit?: number;
}

export function ipv6(p: Ipv6): Buffer {
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(p.payload.length, 4);
  h[6] = p.nextHeader;
  h[7] = p.hopLimit ?? 64;
  ip6Bytes(p.src).copy(h, 8);
  ip6Bytes(p.dst).copy(h, 24);
  return Buffer.concat([h, p.payload]);
}

/** The checksum of an upper-layer message over IPv6 (RFC 8200 §8.1), written at `at`. */
export function withIp6Checksum(src: string, dst: string, nextHeader: number, message: Buffer, at: number): Buffer {
  const pseudo = Buffer.alloc(40);
  ip6Bytes(src).copy(pseudo, 0);
  ip6Bytes(dst).copy(pseudo, 16);
  pseudo.writeUInt32BE(message.length, 32);
  pseudo[39] = nextHeader;
  message.writeUInt16BE(0, at);
  message.writeUInt16BE(internetChecksum(pseudo, message), at);
  return message;
}

/** An ICMPv6 message (RFC 4443) with its checksum: type, code, the 4 bytes after the checksum, body. */
export function icmpv6(src: string, dst: string, type: number, code: number, rest: Uint8Array, body: Uint8Array = new Uint8Array()): Buffer {
  return withIp6Checksum(src, dst, IPPROTO6.icmpv6, Buffer.concat([Buffer.from([type, code, 0, 0]), Buffer.from(rest), Buffer.from(body)]), 2);
}

/** An extension header (hop-by-hop, destination options, routing): next header, length in 8-byte units after the first 8, then `body` (6 + 8n bytes). */
export function ip6Extension(nextHeader: number, body: Uint8Array): Buffer {
  if ((body.length + 2) % 8 !== 0) throw new Error("an IPv6 extension header is a multiple of 8 bytes");
  return Buffer.concat([Buffer.from([nextHeader, (body.length + 2) / 8 - 1]), Buffer.from(body)]);
}

/** A fragment header (RFC 8200 §4.5): next header, offset in bytes (a multiple of 8), more-fragments flag, identification. */
export function ip6Fragment(nextHeader: number, offset: number, more: boolean, id: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = nextHeader;
  b.writeUInt16BE(offset | (more ? 1 : 0), 2);
  b.writeUInt32BE(id >>> 0, 4);
  return b;
}
