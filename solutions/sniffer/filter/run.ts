/** Runs a classic BPF program on a frame in user space (for -r, where no kernel filters the file). */
import type { Insn } from "./compile.ts";

/** The program's return value for this frame: 0 rejects it. */
export function runFilter(prog: Insn[], frame: Uint8Array, wireLength = frame.length): number {
  let [a, x] = [0, 0];
  const at = (k: number, size: 1 | 2 | 4): number | undefined => {
    if (k < 0 || k + size > frame.length) return undefined;
    let v = 0;
    for (let i = 0; i < size; i++) v = ((v << 8) | frame[k + i]!) >>> 0;
    return v;
  };
  for (let pc = 0; pc < prog.length; pc++) {
    const { code, jt, jf, k } = prog[pc]!;
    const load = (v: number | undefined) => {
      if (v === undefined) return false;
      a = v;
      return true;
    };
    switch (code) {
      case 0x20:
      case 0x28:
      case 0x30:
        if (!load(at(k, code === 0x20 ? 4 : code === 0x28 ? 2 : 1))) return 0;
        break;
      case 0x48:
        if (!load(at(x + k, 2))) return 0;
        break;
      case 0x80:
        a = wireLength;
        break;
      case 0xb1: {
        const b = at(k, 1);
        if (b === undefined) return 0;
        x = (b & 0xf) * 4;
        break;
      }
      case 0x54:
        a = (a & k) >>> 0;
        break;
      case 0x15:
        pc += a === k ? jt : jf;
        break;
      case 0x25:
        pc += a > k ? jt : jf;
        break;
      case 0x35:
        pc += a >= k ? jt : jf;
        break;
      case 0x45:
        pc += (a & k) !== 0 ? jt : jf;
        break;
      case 0x06:
        return k;
      default:
        throw new Error(`unknown BPF instruction 0x${code.toString(16)}`);
    }
  }
  return 0;
}
