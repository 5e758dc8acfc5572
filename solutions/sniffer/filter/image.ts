/**
 * A classic BPF program as `tcpdump -d` prints it: one line per instruction,
 * "(NNN) <op padded to 8> <operand>", conditional jumps followed by their
 * targets as instruction numbers ("jt 5\tjf 9"). Constants compared, masked,
 * or loaded as immediates are hexadecimal (#0x800); offsets, shift counts,
 * the other ALU operands and return values are signed decimal (#-2).
 */
import type { Insn } from "./compile.ts";

export interface ImageStyle {
  /** Print jump targets as offsets from the next instruction instead of instruction numbers (a fixture's mistake). */
  relativeJumps?: boolean;
  /** Number the first instruction 1 (a fixture's mistake). */
  firstNumber?: number;
  /** Every constant in hexadecimal (a fixture's mistake). */
  allHex?: boolean;
  /** The mnemonic of a 2-byte absolute load (a fixture prints "ld"). */
  ldh?: string;
}

const hex = (k: number) => `#0x${(k >>> 0).toString(16)}`;
const dec = (k: number) => `#${k | 0}`;

const LOADS: Record<number, [string, string]> = { 0x00: ["ld", ""], 0x08: ["ldh", ""], 0x10: ["ldb", ""] };
const ALU: Record<number, [string, boolean]> = {
  0x00: ["add", false], 0x10: ["sub", false], 0x20: ["mul", false], 0x30: ["div", false], 0x90: ["mod", false],
  0x40: ["or", true], 0x50: ["and", true], 0xa0: ["xor", true], 0x60: ["lsh", false], 0x70: ["rsh", false],
};
const JUMPS: Record<number, string> = { 0x10: "jeq", 0x20: "jgt", 0x30: "jge", 0x40: "jset" };

/** The mnemonic and operand of one instruction; `n` is its number (for ja's target). */
function decode(i: Insn, n: number, style: ImageStyle): [string, string] {
  const [h, d] = style.allHex ? [hex, hex] : [hex, dec];
  const cls = i.code & 0x07;
  const mode = i.code & 0xe0;
  const size = i.code & 0x18;
  const op = i.code & 0xf0;
  const x = (i.code & 0x08) !== 0;
  switch (cls) {
    case 0x00: {
      const name = size === 0x08 && mode === 0x20 && style.ldh ? style.ldh : LOADS[size]![0];
      if (mode === 0x00) return ["ld", h(i.k)];
      if (mode === 0x20) return [name, `[${i.k}]`];
      if (mode === 0x40) return [LOADS[size]![0], `[x + ${i.k}]`];
      if (mode === 0x60) return ["ld", `M[${i.k}]`];
      if (mode === 0x80) return ["ld", "#pktlen"];
      break;
    }
    case 0x01:
      if (mode === 0x00) return ["ldx", h(i.k)];
      if (mode === 0x60) return ["ldx", `M[${i.k}]`];
      if (mode === 0xa0) return ["ldxb", `4*([${i.k}]&0xf)`];
      if (mode === 0x80) return ["ldx", "#pktlen"];
      break;
    case 0x02:
      return ["st", `M[${i.k}]`];
    case 0x03:
      return ["stx", `M[${i.k}]`];
    case 0x04: {
      if (op === 0x80) return ["neg", ""];
      const alu = ALU[op];
      if (alu) return [alu[0], x ? "x" : alu[1] ? h(i.k) : d(i.k)];
      break;
    }
    case 0x05: {
      if (op === 0x00) return ["ja", String(n + 1 + i.k)];
      const name = JUMPS[op];
      if (name) return [name, x ? "x" : h(i.k)];
      break;
    }
    case 0x06:
      return ["ret", (i.code & 0x18) === 0x10 ? "a" : d(i.k)];
    case 0x07:
      return [(i.code & 0xf8) === 0x80 ? "txa" : "tax", ""];
  }
  throw new Error(`unknown BPF instruction 0x${i.code.toString(16)}`);
}

export function programImage(prog: Insn[], style: ImageStyle = {}): string {
  const first = style.firstNumber ?? 0;
  return prog
    .map((insn, n) => {
      const [op, operand] = decode(insn, n, style);
      const number = `(${String(n + first).padStart(3, "0")})`;
      if ((insn.code & 0x07) !== 0x05 || (insn.code & 0xf0) === 0x00) return `${number} ${op.padEnd(8)} ${operand}`;
      const [jt, jf] = style.relativeJumps ? [insn.jt, insn.jf] : [n + 1 + insn.jt + first, n + 1 + insn.jf + first];
      return `${number} ${op.padEnd(8)} ${operand.padEnd(16)} jt ${jt}\tjf ${jf}`;
    })
    .join("\n");
}
