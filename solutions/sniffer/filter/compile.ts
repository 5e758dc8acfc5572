/**
 * Compiles a filter to classic BPF for Ethernet frames (the program the
 * kernel runs on each frame for SO_ATTACH_FILTER: accumulator A, index X,
 * forward jumps only; a non-zero return keeps the frame). Each node compiles
 * with two targets, where to go when it matches and when it does not, so
 * `and`, `or` and `not` are only jumps.
 */
import { FilterSyntaxError, type Arith, type BinaryOp, type Dir, type Filter, type Layer, type RelOp } from "./parse.ts";

export interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export const SNAPLEN = 262144;

const OP = {
  ldW: 0x20, ldH: 0x28, ldB: 0x30, ldLen: 0x80, ldhInd: 0x48, ldxMsh: 0xb1,
  ldImm: 0x00, ldMem: 0x60, ldxMem: 0x61, st: 0x02, tax: 0x07,
  jeq: 0x15, jgt: 0x25, jge: 0x35, jset: 0x45, and: 0x54, add: 0x04, ret: 0x06,
} as const;

/** Loads of 1, 2, 4 bytes: at an absolute offset, and at X + offset. */
const LOAD_ABS = { 1: 0x30, 2: 0x28, 4: 0x20 } as const;
const LOAD_IND = { 1: 0x50, 2: 0x48, 4: 0x40 } as const;
/** ALU operations with the constant k (add 0x08 for X instead: BPF_X). */
const ALU: Record<BinaryOp, number> = { "+": 0x04, "-": 0x14, "*": 0x24, "/": 0x34, "|": 0x44, "&": 0x54, "<<": 0x64, ">>": 0x74, "%": 0x94, "^": 0xa4 };
const NEG = 0x84;
const BPF_X = 0x08;

export interface CompileOptions {
  /** Guard proto[…] with its protocol's test (ip[] needs IPv4, tcp[] an IPv4 TCP packet, not a later fragment); a fixture turns it off. */
  guards?: boolean;
  /** Look past an IPv6 fragment header for icmp6, tcp, udp, ip6 proto (fixtures turn it off). */
  fragmentHeader?: boolean;
  /** Check the EtherType (0x86dd) before reading IPv6's next header in "ip6 proto N" (false: a fixture's mistake). */
  ip6EtherType?: boolean;
  /** port over IPv6: only when the next header is TCP, UDP or SCTP ("checked"); fixtures' mistakes: not at all, or whatever the next header. */
  ports6?: "checked" | "none" | "any-next-header";
}

const ETH_IP = 0x800;
const ETH_ARP = 0x806;
const ETH_RARP = 0x8035;
const ETH_IP6 = 0x86dd;
/** IPv6: the next header (frame byte 20), the fragment header's own next header when that is 44 (byte 54), the addresses (22-37, 38-53), the ports (54, 56). */
const IP6_NXT = 20;
const IP6_FRAGMENT = 44;
const IP6_FRAG_NXT = 54;
const IP6_SRC = 22;
const IP6_DST = 38;

interface Label {
  at?: number;
}

type Target = Label;

class Emitter {
  readonly code: { code: number; jt?: Target; jf?: Target; k: number }[] = [];

  op(code: number, k = 0): void {
    this.code.push({ code, k });
  }

  jump(code: number, k: number, jt: Target, jf: Target): void {
    this.code.push({ code, k, jt, jf });
  }

  place(l: Label): void {
    l.at = this.code.length;
  }

  resolve(): Insn[] {
    return this.code.map((c, i) => {
      const off = (t?: Target) => {
        if (!t) return 0;
        const d = t.at! - (i + 1);
        if (d < 0 || d > 255) throw new Error("filter too complex: jump out of range");
        return d;
      };
      return { code: c.code, jt: off(c.jt), jf: off(c.jf), k: c.k >>> 0 };
    });
  }
}

/** Frame offsets of IPv4 source/destination and ARP sender/target protocol addresses. */
const IP_SRC = 26;
const IP_DST = 30;
const ARP_SPA = 28;
const ARP_TPA = 38;

function addresses(e: Emitter, dir: Dir, offsets: [number, number], test: (match: Target, miss: Target) => void, yes: Target, no: Target): void {
  const [src, dst] = offsets;
  if (dir === "src" || dir === "dst") {
    e.op(OP.ldW, dir === "src" ? src : dst);
    test(yes, no);
    return;
  }
  const second: Label = {};
  e.op(OP.ldW, src);
  test(yes, second);
  e.place(second);
  e.op(OP.ldW, dst);
  test(yes, no);
}

/** Where proto[…] counts from: frame offsets; the transport layers count from after the IPv4 header (X holds its length). */
const BASE: Record<Layer, number> = { ether: 0, ip: 14, tcp: 14, udp: 14, icmp: 14 };
const TRANSPORT: Partial<Record<Layer, number>> = { tcp: 6, udp: 17, icmp: 1 };
/** Scratch memory words M[0..15] (BPF_MEMWORDS). */
const MEMWORDS = 16;

function loadsIn(a: Arith, out: Layer[] = []): Layer[] {
  if (a.kind === "load") {
    if (!out.includes(a.layer)) out.push(a.layer);
    loadsIn(a.at, out);
  } else if (a.kind === "bin") {
    loadsIn(a.left, out);
    loadsIn(a.right, out);
  } else if (a.kind === "neg") loadsIn(a.of, out);
  return out;
}

/** Jumps to `no` unless the frame has the layer proto[…] reads: IPv4 for ip[]; an IPv4 packet of that protocol, not a later fragment, for tcp[], udp[], icmp[]. */
function guard(e: Emitter, layer: Layer, no: Target): void {
  if (layer === "ether") return;
  const ip: Label = {};
  e.op(OP.ldH, 12);
  e.jump(OP.jeq, ETH_IP, ip, no);
  e.place(ip);
  const proto = TRANSPORT[layer];
  if (proto === undefined) return;
  const [is, first]: [Label, Label] = [{}, {}];
  e.op(OP.ldB, 23);
  e.jump(OP.jeq, proto, is, no);
  e.place(is);
  e.op(OP.ldH, 20);
  e.jump(OP.jset, 0x1fff, no, first);
  e.place(first);
}

/** Computes an arithmetic expression into A; scratch words from `slot` up hold intermediate values. */
function evaluate(e: Emitter, a: Arith, slot: number): void {
  if (slot >= MEMWORDS) throw new FilterSyntaxError("expression too complex");
  switch (a.kind) {
    case "num":
      e.op(OP.ldImm, a.n);
      return;
    case "len":
      e.op(OP.ldLen);
      return;
    case "load": {
      const transport = TRANSPORT[a.layer] !== undefined;
      if (a.at.kind === "num") {
        if (transport) {
          e.op(OP.ldxMsh, 14);
          e.op(LOAD_IND[a.size], BASE[a.layer] + a.at.n);
        } else e.op(LOAD_ABS[a.size], BASE[a.layer] + a.at.n);
        return;
      }
      evaluate(e, a.at, slot);
      if (transport) {
        // A = offset + the IPv4 header's length.
        e.op(OP.st, slot);
        e.op(OP.ldxMsh, 14);
        e.op(OP.ldMem, slot);
        e.op(OP.add | BPF_X);
      }
      e.op(OP.tax);
      e.op(LOAD_IND[a.size], BASE[a.layer]);
      return;
    }
    case "neg":
      evaluate(e, a.of, slot);
      e.op(NEG);
      return;
    case "bin":
      if (a.right.kind === "num") {
        evaluate(e, a.left, slot);
        e.op(ALU[a.op], a.right.n);
        return;
      }
      evaluate(e, a.right, slot);
      e.op(OP.st, slot);
      evaluate(e, a.left, slot + 1);
      e.op(OP.ldxMem, slot);
      e.op(ALU[a.op] | BPF_X);
      return;
  }
}

/** Each comparison as a jump: its code, and whether its targets are swapped (!=, <, <= are the negations of =, >=, >). */
const COMPARE: Record<RelOp, [number, boolean]> = { "=": [OP.jeq, false], "!=": [OP.jeq, true], ">": [OP.jgt, false], ">=": [OP.jge, false], "<": [OP.jge, true], "<=": [OP.jgt, true] };

function relation(e: Emitter, f: Extract<Filter, { kind: "rel" }>, yes: Target, no: Target, opts: CompileOptions): void {
  if (opts.guards !== false) for (const layer of loadsIn(f.left, loadsIn(f.right))) guard(e, layer, no);
  const [code, swapped] = COMPARE[f.op];
  const [jt, jf] = swapped ? [no, yes] : [yes, no];
  if (f.right.kind === "num") {
    evaluate(e, f.left, 0);
    e.jump(code, f.right.n, jt, jf);
    return;
  }
  evaluate(e, f.right, 0);
  e.op(OP.st, 0);
  evaluate(e, f.left, 1);
  e.op(OP.ldxMem, 0);
  e.jump(code | BPF_X, 0, jt, jf);
}

function compileNode(e: Emitter, f: Filter, yes: Target, no: Target, opts: CompileOptions = {}): void {
  switch (f.kind) {
    case "rel":
      relation(e, f, yes, no, opts);
      return;
    case "and": {
      const mid: Label = {};
      compileNode(e, f.left, mid, no, opts);
      e.place(mid);
      compileNode(e, f.right, yes, no, opts);
      return;
    }
    case "or": {
      const mid: Label = {};
      compileNode(e, f.left, yes, mid, opts);
      e.place(mid);
      compileNode(e, f.right, yes, no, opts);
      return;
    }
    case "not":
      compileNode(e, f.of, no, yes, opts);
      return;
    case "proto":
      e.op(OP.ldH, 12);
      e.jump(OP.jeq, { arp: ETH_ARP, ip: ETH_IP, ip6: ETH_IP6 }[f.name], yes, no);
      return;
    case "ipproto": {
      // IPv4: the protocol field (byte 23). IPv6: the next header, or, after a fragment header, that header's next header.
      const [isIp, notIp, isIp6, fragment]: [Label, Label, Label, Label] = [{}, {}, {}, {}];
      e.op(OP.ldH, 12);
      if (f.family !== "ip6") {
        e.jump(OP.jeq, ETH_IP, isIp, f.family === "both" ? notIp : no);
        e.place(isIp);
        e.op(OP.ldB, 23);
        e.jump(OP.jeq, f.n, yes, no);
        if (f.family === "ip") return;
        e.place(notIp);
      }
      e.jump(OP.jeq, ETH_IP6, isIp6, opts.ip6EtherType === false && f.family === "ip6" ? isIp6 : no);
      e.place(isIp6);
      e.op(OP.ldB, IP6_NXT);
      e.jump(OP.jeq, f.n, yes, fragment);
      e.place(fragment);
      if (opts.fragmentHeader === false) {
        e.jump(OP.jeq, IP6_FRAGMENT, no, no);
        return;
      }
      const afterFragment: Label = {};
      e.jump(OP.jeq, IP6_FRAGMENT, afterFragment, no);
      e.place(afterFragment);
      e.op(OP.ldB, IP6_FRAG_NXT);
      e.jump(OP.jeq, f.n, yes, no);
      return;
    }
    case "host6": {
      // Each 32-bit word of the address (ANDed with its word of the mask, unless that is all ones) compared in turn; words the mask leaves out are skipped.
      const words = [0, 1, 2, 3].filter((w) => f.mask[w] !== 0);
      const isIp6: Label = {};
      e.op(OP.ldH, 12);
      e.jump(OP.jeq, ETH_IP6, isIp6, no);
      e.place(isIp6);
      const compare = (base: number, match: Target, miss: Target) => {
        if (words.length === 0) {
          // A /0 network holds every address: "jset #0" is never true, so this always goes to match.
          e.jump(OP.jset, 0, miss, match);
          return;
        }
        words.forEach((w, k) => {
          const nextWord: Label = {};
          e.op(OP.ldW, base + 4 * w);
          if (f.mask[w] !== 0xffffffff) e.op(OP.and, f.mask[w]!);
          e.jump(OP.jeq, f.addr[w]!, k === words.length - 1 ? match : nextWord, miss);
          if (k < words.length - 1) e.place(nextWord);
        });
      };
      if (f.dir !== "either") {
        compare(f.dir === "src" ? IP6_SRC : IP6_DST, yes, no);
        return;
      }
      const second: Label = {};
      compare(IP6_SRC, yes, second);
      e.place(second);
      compare(IP6_DST, yes, no);
      return;
    }
    case "host":
    case "net": {
      // IPv4 source/destination, or ARP/RARP sender/target protocol address.
      const test = (match: Target, miss: Target) => {
        if (f.kind === "net") e.op(OP.and, f.mask);
        e.jump(OP.jeq, f.addr, match, miss);
      };
      const [ip, notIp, arp, notArp]: [Label, Label, Label, Label] = [{}, {}, {}, {}];
      e.op(OP.ldH, 12);
      e.jump(OP.jeq, ETH_IP, ip, notIp);
      e.place(ip);
      addresses(e, f.dir, [IP_SRC, IP_DST], test, yes, no);
      e.place(notIp);
      e.jump(OP.jeq, ETH_ARP, arp, notArp);
      e.place(notArp);
      e.jump(OP.jeq, ETH_RARP, arp, no);
      e.place(arp);
      addresses(e, f.dir, [ARP_SPA, ARP_TPA], test, yes, no);
      return;
    }
    case "port": {
      // IPv4, a protocol with ports (TCP, UDP; SCTP too unless qualified), not a later fragment;
      // or IPv6 whose next header is such a protocol (ports right after the fixed header; libpcap looks no further).
      const [isIp, notIp, isIp6, hasPorts6, hasPorts, first, srcMiss, srcMiss6]: [Label, Label, Label, Label, Label, Label, Label, Label] = [{}, {}, {}, {}, {}, {}, {}, {}];
      const protos = f.proto ? [f.proto === "tcp" ? 6 : 17] : [132, 6, 17];
      const protocolIn = (hit: Target) =>
        protos.forEach((p, i) => {
          const nextProto: Label = {};
          e.jump(OP.jeq, p, hit, i === protos.length - 1 ? no : nextProto);
          if (i < protos.length - 1) e.place(nextProto);
        });
      const inRange = (load: () => void, match: Target, miss: Target) => {
        load();
        if (f.lo === f.hi) {
          e.jump(OP.jeq, f.lo, match, miss);
          return;
        }
        const atLeast: Label = {};
        e.jump(OP.jge, f.lo, atLeast, miss);
        e.place(atLeast);
        e.jump(OP.jgt, f.hi, miss, match);
      };
      const ports = (at: (offset: number) => void, miss: Label) => {
        if (f.dir === "src" || f.dir === "dst") {
          inRange(() => at(f.dir === "src" ? 14 : 16), yes, no);
          return;
        }
        inRange(() => at(14), yes, miss);
        e.place(miss);
        inRange(() => at(16), yes, no);
      };
      e.op(OP.ldH, 12);
      const ports6 = opts.ports6 ?? "checked";
      e.jump(OP.jeq, ETH_IP, isIp, ports6 === "none" ? no : notIp);
      if (ports6 !== "none") {
        e.place(notIp);
        e.jump(OP.jeq, ETH_IP6, isIp6, no);
        e.place(isIp6);
        if (ports6 === "checked") {
          e.op(OP.ldB, IP6_NXT);
          protocolIn(hasPorts6);
        }
        e.place(hasPorts6);
        ports((offset) => e.op(OP.ldH, 40 + offset), srcMiss6);
      }
      e.place(isIp);
      e.op(OP.ldB, 23);
      protocolIn(hasPorts);
      e.place(hasPorts);
      e.op(OP.ldH, 20);
      e.jump(OP.jset, 0x1fff, no, first);
      e.place(first);
      e.op(OP.ldxMsh, 14);
      ports((offset) => e.op(OP.ldhInd, offset), srcMiss);
      return;
    }
    case "len":
      e.op(OP.ldLen);
      if (f.op === "le") e.jump(OP.jgt, f.n, no, yes);
      else e.jump(OP.jge, f.n, yes, no);
      return;
  }
}

/** The classic BPF program for a filter (accept: return the snapshot length; reject: 0). */
export function compileFilter(f: Filter, opts: CompileOptions = {}): Insn[] {
  const e = new Emitter();
  const [accept, reject]: [Label, Label] = [{}, {}];
  compileNode(e, f, accept, reject, opts);
  e.place(accept);
  e.op(OP.ret, SNAPLEN);
  e.place(reject);
  e.op(OP.ret, 0);
  return e.resolve();
}
