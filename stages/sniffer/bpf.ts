/**
 * For sniffer/15: reads a program in `tcpdump -d`'s notation back into
 * classic BPF instructions (strictly: numbering, mnemonics, operand forms
 * and number bases as libpcap's bpf_image writes them; spacing is free), and
 * runs it on a frame as the kernel's classic BPF interpreter does
 * (linux/Documentation/networking/filter.rst).
 */

export interface Instruction {
  /** The mnemonic as printed (ld, ldh, jeq, …). */
  op: string;
  /** The operand's form: "k" (#const), "abs" ([k]), "ind" ([x + k]), "msh" (4*([k]&0xf)), "mem" (M[k]), "len" (#pktlen), "x", "a", "" (none). */
  form: string;
  k: number;
  /** Absolute instruction numbers (conditional jumps; ja's target in jt). */
  jt: number;
  jf: number;
}

export class ImageError extends Error {}

const HEX = "#0x([0-9a-f]+)";
const DEC = "#(-?\\d+)";
/** What each mnemonic may be followed by, as bpf_image prints it: [form, pattern] in turn. */
const OPERANDS: Record<string, [string, string][]> = {
  ld: [["abs", "\\[(\\d+)\\]"], ["ind", "\\[x \\+ (\\d+)\\]"], ["len", "#pktlen"], ["k", HEX], ["mem", "M\\[(\\d+)\\]"]],
  ldh: [["abs", "\\[(\\d+)\\]"], ["ind", "\\[x \\+ (\\d+)\\]"]],
  ldb: [["abs", "\\[(\\d+)\\]"], ["ind", "\\[x \\+ (\\d+)\\]"]],
  ldx: [["k", HEX], ["mem", "M\\[(\\d+)\\]"], ["len", "#pktlen"]],
  ldxb: [["msh", "4\\*\\(\\[(\\d+)\\]&0xf\\)"]],
  st: [["mem", "M\\[(\\d+)\\]"]],
  stx: [["mem", "M\\[(\\d+)\\]"]],
  add: [["k", DEC], ["x", "x"]],
  sub: [["k", DEC], ["x", "x"]],
  mul: [["k", DEC], ["x", "x"]],
  div: [["k", DEC], ["x", "x"]],
  mod: [["k", DEC], ["x", "x"]],
  lsh: [["k", DEC], ["x", "x"]],
  rsh: [["k", DEC], ["x", "x"]],
  and: [["k", HEX], ["x", "x"]],
  or: [["k", HEX], ["x", "x"]],
  xor: [["k", HEX], ["x", "x"]],
  neg: [["", ""]],
  tax: [["", ""]],
  txa: [["", ""]],
  ret: [["k", DEC], ["a", "a"]],
  ja: [["k", "(\\d+)"]],
  jeq: [["k", HEX], ["x", "x"]],
  jgt: [["k", HEX], ["x", "x"]],
  jge: [["k", HEX], ["x", "x"]],
  jset: [["k", HEX], ["x", "x"]],
};
const CONDITIONAL = new Set(["jeq", "jgt", "jge", "jset"]);

/** The instructions of `-d` output; throws ImageError naming the first line that is not in tcpdump's notation. */
export function assemble(text: string): Instruction[] {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new ImageError("no instructions printed");
  const out = lines.map((line, n) => {
    const bad = (why: string) => new ImageError(`line ${n + 1}, "${line}": ${why}`);
    const m = /^\((\d{3,})\)\s+([a-z]+)\s*(.*?)\s*$/.exec(line);
    if (!m) throw bad('not "(NNN) <mnemonic> <operand>"');
    if (Number(m[1]) !== n) throw bad(`numbered ${m[1]}; instruction ${n} (counting from 000) should be (${String(n).padStart(3, "0")})`);
    const op = m[2]!;
    let rest = m[3]!;
    let jt = 0;
    let jf = 0;
    if (CONDITIONAL.has(op)) {
      const j = /^(.*?)\s+jt (\d+)\s+jf (\d+)$/.exec(rest);
      if (!j) throw bad(`a conditional jump ends with "jt <instruction number>\\tjf <instruction number>"`);
      [rest, jt, jf] = [j[1]!, Number(j[2]), Number(j[3])];
    }
    const forms = OPERANDS[op];
    if (!forms) throw bad(`"${op}" is not one of bpf_image's mnemonics`);
    for (const [form, pattern] of forms) {
      const o = new RegExp(`^${pattern}$`).exec(rest);
      if (!o) continue;
      const k = form === "k" && pattern === HEX ? parseInt(o[1]!, 16) : o[1] === undefined ? 0 : Number(o[1]);
      if (op === "ja") return { op, form, k: 0, jt: k, jf: k };
      return { op, form, k: k >>> 0, jt, jf };
    }
    throw bad(`"${rest}" is not how tcpdump -d writes ${op}'s operand (${forms.map(([, p]) => p.replace(/\\/g, "") || "none").join(", ")})`);
  });
  out.forEach((i, n) => {
    if ((CONDITIONAL.has(i.op) || i.op === "ja") && !(i.jt > n && i.jf > n && i.jt < out.length && i.jf < out.length)) {
      throw new ImageError(`line ${n + 1}, "${lines[n]}": its jump targets (jt ${i.jt}, jf ${i.jf}) must be the numbers of later instructions of the program (jumps go forward only; tcpdump prints where they land, not offsets)`);
    }
  });
  if (out[out.length - 1]!.op !== "ret" && out[out.length - 1]!.op !== "ja") throw new ImageError("the last instruction is not a ret");
  return out;
}

/** Runs the program on a frame (its whole length on the wire captured): the value of the ret reached, 0 rejecting. */
export function run(prog: Instruction[], frame: Uint8Array): number {
  let [a, x] = [0, 0];
  const mem = new Uint32Array(16);
  const load = (at: number, size: number): number | undefined => {
    if (at < 0 || at + size > frame.length) return undefined;
    let v = 0;
    for (let i = 0; i < size; i++) v = ((v << 8) | frame[at + i]!) >>> 0;
    return v;
  };
  const SIZE: Record<string, number> = { ld: 4, ldh: 2, ldb: 1 };
  for (let pc = 0; pc < prog.length; ) {
    const i = prog[pc]!;
    const operand = i.form === "x" ? x : i.k;
    let next = pc + 1;
    switch (i.op) {
      case "ld":
      case "ldh":
      case "ldb":
      case "ldx": {
        let v: number | undefined;
        if (i.form === "abs") v = load(i.k, SIZE[i.op]!);
        else if (i.form === "ind") v = load((x + i.k) >>> 0, SIZE[i.op]!);
        else if (i.form === "len") v = frame.length;
        else if (i.form === "mem") v = mem[i.k & 15]!;
        else v = i.k;
        if (v === undefined) return 0; // a load past the end: the kernel drops the frame
        if (i.op === "ldx") x = v;
        else a = v;
        break;
      }
      case "ldxb": {
        const b = load(i.k, 1);
        if (b === undefined) return 0;
        x = (b & 0xf) * 4;
        break;
      }
      case "st":
        mem[i.k & 15] = a;
        break;
      case "stx":
        mem[i.k & 15] = x;
        break;
      case "add": a = (a + operand) >>> 0; break;
      case "sub": a = (a - operand) >>> 0; break;
      case "mul": a = Math.imul(a, operand) >>> 0; break;
      case "div": if (operand === 0) return 0; a = Math.floor(a / operand) >>> 0; break;
      case "mod": if (operand === 0) return 0; a = (a % operand) >>> 0; break;
      case "and": a = (a & operand) >>> 0; break;
      case "or": a = (a | operand) >>> 0; break;
      case "xor": a = (a ^ operand) >>> 0; break;
      case "lsh": a = operand >= 32 ? 0 : (a << operand) >>> 0; break;
      case "rsh": a = operand >= 32 ? 0 : a >>> operand; break;
      case "neg": a = -a >>> 0; break;
      case "tax": x = a; break;
      case "txa": a = x; break;
      case "ret": return i.form === "a" ? a : i.k;
      case "ja": next = i.jt; break;
      case "jeq": next = a === operand ? i.jt : i.jf; break;
      case "jgt": next = a > operand ? i.jt : i.jf; break;
      case "jge": next = a >= operand ? i.jt : i.jf; break;
      case "jset": next = (a & operand) !== 0 ? i.jt : i.jf; break;
    }
    pc = next;
  }
  return 0;
}
