/**
 * A small assembler for classic BPF (the program format seccomp(2) filters
 * are written in; linux/filter.h, linux/bpf_common.h): instructions with
 * symbolic jump targets, resolved into the 8-byte `struct sock_filter`s the
 * kernel takes. Classic BPF jumps only forward, by at most 255 instructions.
 */

/** Opcode parts (linux/bpf_common.h). */
export const BPF = {
  LD: 0x00,
  ALU: 0x04,
  JMP: 0x05,
  RET: 0x06,
  W: 0x00,
  ABS: 0x20,
  AND: 0x50,
  JEQ: 0x10,
  JGT: 0x20,
  JGE: 0x30,
  K: 0x00,
} as const;

/** A jump target: a label defined later, or "next" (the following instruction). */
export type Target = string;

interface Insn {
  code: number;
  k: number;
  jt?: Target;
  jf?: Target;
}

export class Assembler {
  private readonly insns: Insn[] = [];
  private readonly labels = new Map<string, number>();
  private fresh = 0;

  /** A label name not used yet. */
  label(prefix = "L"): string {
    return `${prefix}${this.fresh++}`;
  }

  /** Places `name` at the next instruction. */
  place(name: string): void {
    if (this.labels.has(name)) throw new Error(`BPF label ${name} placed twice`);
    this.labels.set(name, this.insns.length);
  }

  /** A = the 32-bit word at `offset` of the input (struct seccomp_data). */
  loadWord(offset: number): void {
    this.insns.push({ code: BPF.LD | BPF.W | BPF.ABS, k: offset });
  }

  /** A &= k. */
  and(k: number): void {
    this.insns.push({ code: BPF.ALU | BPF.AND | BPF.K, k: k >>> 0 });
  }

  /** Goes to `jt` when A <op> k (unsigned), else to `jf`. */
  jump(op: "JEQ" | "JGT" | "JGE", k: number, jt: Target, jf: Target): void {
    this.insns.push({ code: BPF.JMP | BPF[op] | BPF.K, k: k >>> 0, jt, jf });
  }

  /** Ends the filter with this seccomp return value. */
  ret(k: number): void {
    this.insns.push({ code: BPF.RET | BPF.K, k: k >>> 0 });
  }

  get length(): number {
    return this.insns.length;
  }

  /** The program as an array of struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }. */
  assemble(): Buffer {
    const out = Buffer.alloc(this.insns.length * 8);
    this.insns.forEach((insn, i) => {
      const offset = (target: Target | undefined): number => {
        if (target === undefined || target === "next") return 0;
        const at = this.labels.get(target);
        if (at === undefined) throw new Error(`BPF label ${target} is never placed`);
        const distance = at - (i + 1);
        if (distance < 0 || distance > 255) throw new Error(`BPF jump to ${target} out of range (${distance})`);
        return distance;
      };
      out.writeUInt16LE(insn.code, i * 8);
      out.writeUInt8(offset(insn.jt), i * 8 + 2);
      out.writeUInt8(offset(insn.jf), i * 8 + 3);
      out.writeUInt32LE(insn.k, i * 8 + 4);
    });
    return out;
  }
}
