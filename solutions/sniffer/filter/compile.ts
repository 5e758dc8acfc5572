/**
 * Compiles a filter to classic BPF for Ethernet frames (the program the
 * kernel runs on each frame for SO_ATTACH_FILTER: accumulator A, index X,
 * forward jumps only; a non-zero return keeps the frame). Each node compiles
 * with two targets, where to go when it matches and when it does not, so
 * `and`, `or` and `not` are only jumps.
 */
import type { Dir, Filter } from "./parse.ts";

export interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export const SNAPLEN = 262144;

const OP = {
  ldW: 0x20, ldH: 0x28, ldB: 0x30, ldLen: 0x80, ldhInd: 0x48, ldxMsh: 0xb1,
  jeq: 0x15, jgt: 0x25, jge: 0x35, jset: 0x45, and: 0x54, ret: 0x06,
} as const;

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

function compileNode(e: Emitter, f: Filter, yes: Target, no: Target): void {
  switch (f.kind) {
    case "and": {
      const mid: Label = {};
      compileNode(e, f.left, mid, no);
      e.place(mid);
      compileNode(e, f.right, yes, no);
      return;
    }
    case "or": {
      const mid: Label = {};
      compileNode(e, f.left, yes, mid);
      e.place(mid);
      compileNode(e, f.right, yes, no);
      return;
    }
    case "not":
      compileNode(e, f.of, no, yes);
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
export function compileFilter(f: Filter): Insn[] {
  const e = new Emitter();
  const [accept, reject]: [Label, Label] = [{}, {}];
  compileNode(e, f, accept, reject);
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
