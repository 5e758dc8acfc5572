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
const ALU: Record<BinaryOp, number> = { "+": 0x04, "-": 0x14, "*": 0x24, "/": 0x34, "|": 0x44, "&": 0x54, "<<": 0x64, ">>": 0x74 };
const BPF_X = 0x08;

export interface CompileOptions {
  /** Guard proto[…] with its protocol's test (ip[] needs IPv4, tcp[] an IPv4 TCP packet, not a later fragment); a fixture turns it off. */
  guards?: boolean;
}

const ETH_IP = 0x800;
const ETH_ARP = 0x806;
const ETH_RARP = 0x8035;

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
  }
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
    case "proto": {
      e.op(OP.ldH, 12);
      if (f.name === "arp" || f.name === "ip") {
        e.jump(OP.jeq, f.name === "arp" ? ETH_ARP : ETH_IP, yes, no);
        return;
      }
      const isIp: Label = {};
      e.jump(OP.jeq, ETH_IP, isIp, no);
      e.place(isIp);
      e.op(OP.ldB, 23);
      e.jump(OP.jeq, { icmp: 1, tcp: 6, udp: 17 }[f.name], yes, no);
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
      // IPv4, a protocol with ports (TCP, UDP; SCTP too unless qualified), not a later fragment.
      const [isIp, hasPorts, first, srcMiss]: [Label, Label, Label, Label] = [{}, {}, {}, {}];
      e.op(OP.ldH, 12);
      e.jump(OP.jeq, ETH_IP, isIp, no);
      e.place(isIp);
      e.op(OP.ldB, 23);
      const protos = f.proto ? [f.proto === "tcp" ? 6 : 17] : [132, 6, 17];
      protos.forEach((p, i) => {
        const nextProto: Label = {};
        e.jump(OP.jeq, p, hasPorts, i === protos.length - 1 ? no : nextProto);
        if (i < protos.length - 1) e.place(nextProto);
      });
      e.place(hasPorts);
      e.op(OP.ldH, 20);
      e.jump(OP.jset, 0x1fff, no, first);
      e.place(first);
      e.op(OP.ldxMsh, 14);
      const inRange = (offset: number, match: Target, miss: Target) => {
        e.op(OP.ldhInd, offset);
        if (f.lo === f.hi) {
          e.jump(OP.jeq, f.lo, match, miss);
          return;
        }
        const atLeast: Label = {};
        e.jump(OP.jge, f.lo, atLeast, miss);
        e.place(atLeast);
        e.jump(OP.jgt, f.hi, miss, match);
      };
      if (f.dir === "src" || f.dir === "dst") {
        inRange(f.dir === "src" ? 14 : 16, yes, no);
        return;
      }
      inRange(14, yes, srcMiss);
      e.place(srcMiss);
      inRange(16, yes, no);
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

/** The program as `tcpdump -dd` prints it: one { code, jt, jf, k } per line. */
export function showProgram(p: Insn[]): string {
  return p.map((i) => `{ 0x${i.code.toString(16)}, ${i.jt}, ${i.jf}, 0x${i.k.toString(16).padStart(8, "0")} },`).join("\n");
}
