/** Runs a classic BPF program on a frame in user space (for -r, where no kernel filters the file), as the kernel does. */
import type { Insn } from "./compile.ts";

export interface RunOptions {
  /** A load past the frame's end: "reject" the frame, as the kernel does (a fixture reads "zero" instead). */
  pastEnd?: "reject" | "zero";
}

/** A, with the constant k (BPF_K) or X (BPF_X): the ALU operations by their operation bits; undefined for a division by zero. */
function alu(op: number, a: number, b: number): number | undefined {
  switch (op) {
    case 0x00: return (a + b) >>> 0;
    case 0x10: return (a - b) >>> 0;
    case 0x20: return Math.imul(a, b) >>> 0;
    case 0x30: return b === 0 ? undefined : Math.floor(a / b) >>> 0;
    case 0x40: return (a | b) >>> 0;
    case 0x50: return (a & b) >>> 0;
    case 0x60: return b >= 32 ? 0 : (a << b) >>> 0;
    case 0x70: return b >= 32 ? 0 : a >>> b;
    case 0x80: return -a >>> 0;
    case 0x90: return b === 0 ? undefined : (a % b) >>> 0;
    case 0xa0: return (a ^ b) >>> 0;
  }
  throw new Error(`unknown BPF ALU operation 0x${op.toString(16)}`);
}

/** The program's return value for this frame: 0 rejects it. */
export function runFilter(prog: Insn[], frame: Uint8Array, wireLength = frame.length, opts: RunOptions = {}): number {
  let [a, x] = [0, 0];
  const mem = new Uint32Array(16);
  const at = (k: number, size: number): number | undefined => {
    if (k < 0 || k + size > frame.length) return opts.pastEnd === "zero" ? 0 : undefined;
    let v = 0;
    for (let i = 0; i < size; i++) v = ((v << 8) | frame[k + i]!) >>> 0;
    return v;
  };
  const SIZE: Record<number, number> = { 0x00: 4, 0x08: 2, 0x10: 1 };
  for (let pc = 0; pc < prog.length; pc++) {
    const { code, jt, jf, k } = prog[pc]!;
    const cls = code & 0x07;
    const src = code & 0x08 ? x : k;
    switch (cls) {
      case 0x00: // ld
      case 0x01: {
        // ldx
        const mode = code & 0xe0;
        let v: number | undefined;
        if (mode === 0x00) v = k; // #k
        else if (mode === 0x20) v = at(k, SIZE[code & 0x18]!); // [k]
        else if (mode === 0x40) v = at(x + k, SIZE[code & 0x18]!); // [x + k]
        else if (mode === 0x60) v = mem[k & 15]!; // M[k]
        else if (mode === 0x80) v = wireLength; // #pktlen
        else if (mode === 0xa0 && cls === 0x01) {
          // ldxb 4*([k]&0xf)
          const b = at(k, 1);
          v = b === undefined ? undefined : (b & 0xf) * 4;
        } else throw new Error(`unknown BPF load 0x${code.toString(16)}`);
        if (v === undefined) return 0;
        if (cls === 0x00) a = v;
        else x = v;
        break;
      }
      case 0x02: // st
        mem[k & 15] = a;
        break;
      case 0x03: // stx
        mem[k & 15] = x;
        break;
      case 0x04: {
        const v = alu(code & 0xf0, a, src);
        if (v === undefined) return 0;
        a = v;
        break;
      }
      case 0x05: {
        const op = code & 0xf0;
        if (op === 0x00) pc += k; // ja
        else {
          const hit = op === 0x10 ? a === src : op === 0x20 ? a > src : op === 0x30 ? a >= src : op === 0x40 ? (a & src) !== 0 : undefined;
          if (hit === undefined) throw new Error(`unknown BPF jump 0x${code.toString(16)}`);
          pc += hit ? jt : jf;
        }
        break;
      }
      case 0x06:
        return code & 0x10 ? a : k;
      case 0x07:
        if (code & 0x80) a = x; // txa
        else x = a; // tax
        break;
    }
  }
  return 0;
}
