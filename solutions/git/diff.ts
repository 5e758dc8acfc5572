/**
 * `git diff` output: for each changed path, the `diff --git` header, mode
 * and index lines, then a unified diff with 3 lines of context (hunks
 * closer than 2×3 lines merged), each hunk header followed by the last line
 * before it that starts with a letter, `_` or `$` (git's default function
 * name); `\ No newline at end of file` after a last line without one;
 * "Binary files … differ" when either side has a NUL in its first 8000 bytes.
 * https://git-scm.com/docs/git-diff, https://git-scm.com/docs/diff-generate-patch
 */
import { myersDiff, type Change } from "./myers.ts";

export const CONTEXT = 3;
const NULL_OID = "0".repeat(40);

/** One side of a changed path: its mode, blob id and bytes. */
export interface Side {
  mode: number;
  oid: string;
  data: () => Uint8Array;
}

export interface FilePair {
  path: string;
  old?: Side;
  new?: Side;
}

/** The parts of the diff a fixture may replace. */
export interface DiffSteps {
  /** The blocks of lines that change. */
  changes: (a: readonly string[], b: readonly string[]) => Change[];
  /** The function name a line gives a hunk header, or undefined. */
  funcName: (line: string) => string | undefined;
  /** The most unchanged lines between two changes of one hunk (2 × context). */
  joinGap: number;
  /** Whether a file's content is diffed as binary. */
  binary: (data: Uint8Array) => boolean;
  /** Unchanged lines shown around each block of change. */
  context: number;
  /** Whether a path whose mode alone changed still gets an `index` line (a fixture's mistake; git stops after `new mode`). */
  indexWhenModeOnly?: boolean;
}

/** Lines with their newline (the last may have none), as latin1 strings so bytes compare exactly. */
export function splitLines(data: Uint8Array): string[] {
  const s = Buffer.from(data).toString("latin1");
  const out: string[] = [];
  let at = 0;
  while (at < s.length) {
    const nl = s.indexOf("\n", at);
    const end = nl < 0 ? s.length : nl + 1;
    out.push(s.slice(at, end));
    at = end;
  }
  return out;
}

export function isBinary(data: Uint8Array): boolean {
  return data.subarray(0, 8000).includes(0);
}

/** git's default function-name line: starts with a letter, `_` or `$`; at most 80 bytes, trailing whitespace dropped. */
function funcName(line: string): string | undefined {
  if (!/^[A-Za-z_$]/.test(line)) return undefined;
  return line.slice(0, 80).replace(/[ \t\n\v\f\r]+$/, "");
}

export const diffSteps: DiffSteps = { changes: myersDiff, funcName, joinGap: 2 * CONTEXT, binary: isBinary, context: CONTEXT };

function range(start: number, count: number): string {
  // start is 0-based; an empty range names the line before it.
  return count === 1 ? `${start + 1}` : `${count === 0 ? start : start + 1},${count}`;
}

/** The hunks of a unified diff with 3 lines of context. */
export function unifiedHunks(a: string[], b: string[], changes: Change[], steps: DiffSteps = diffSteps): string {
  let out = "";
  let i = 0;
  while (i < changes.length) {
    // Take changes while the unchanged gap to the next is at most 2×context.
    let j = i;
    while (j + 1 < changes.length && changes[j + 1]!.a0 - (changes[j]!.a0 + changes[j]!.del) <= steps.joinGap) j++;
    const first = changes[i]!;
    const last = changes[j]!;
    const s1 = Math.max(first.a0 - steps.context, 0);
    const s2 = Math.max(first.b0 - steps.context, 0);
    const e1 = Math.min(last.a0 + last.del + steps.context, a.length);
    const e2 = Math.min(last.b0 + last.ins + steps.context, b.length);
    let func: string | undefined;
    for (let l = s1 - 1; l >= 0 && func === undefined; l--) func = steps.funcName(a[l]!);
    out += `@@ -${range(s1, e1 - s1)} +${range(s2, e2 - s2)} @@${func ? ` ${func}` : ""}\n`;
    const line = (mark: string, text: string) => `${mark}${text}${text.endsWith("\n") ? "" : "\n\\ No newline at end of file\n"}`;
    let at = s1;
    for (let c = i; c <= j; c++) {
      const ch = changes[c]!;
      for (; at < ch.a0; at++) out += line(" ", a[at]!);
      for (let k = 0; k < ch.del; k++) out += line("-", a[ch.a0 + k]!);
      for (let k = 0; k < ch.ins; k++) out += line("+", b[ch.b0 + k]!);
      at = ch.a0 + ch.del;
    }
    for (; at < e1; at++) out += line(" ", a[at]!);
    i = j + 1;
  }
  return out;
}

const short = (oid: string | undefined) => (oid ?? NULL_OID).slice(0, 7);
const octal = (mode: number) => mode.toString(8);

/** The patch of one path (a change of type, file ↔ symlink, is a deletion then an addition). */
export function patchOf(p: FilePair, steps: DiffSteps = diffSteps): string {
  const { old: o, new: n } = p;
  if (o && n && (o.mode & 0o170000) !== (n.mode & 0o170000)) return patchOf({ path: p.path, old: o }, steps) + patchOf({ path: p.path, new: n }, steps);
  const path = Buffer.from(p.path).toString("latin1");
  let out = `diff --git a/${path} b/${path}\n`;
  if (!o && n) out += `new file mode ${octal(n.mode)}\n`;
  else if (o && !n) out += `deleted file mode ${octal(o.mode)}\n`;
  else if (o && n && o.mode !== n.mode) out += `old mode ${octal(o.mode)}\nnew mode ${octal(n.mode)}\n`;
  if (o?.oid === n?.oid && !steps.indexWhenModeOnly) return out;
  out += `index ${short(o?.oid)}..${short(n?.oid)}${o && n && o.mode === n.mode ? ` ${octal(o.mode)}` : ""}\n`;
  const aData = o ? o.data() : new Uint8Array();
  const bData = n ? n.data() : new Uint8Array();
  const aName = o ? `a/${path}` : "/dev/null";
  const bName = n ? `b/${path}` : "/dev/null";
  if (steps.binary(aData) || steps.binary(bData)) return `${out}Binary files ${aName} and ${bName} differ\n`;
  const a = splitLines(aData);
  const b = splitLines(bData);
  const changes = steps.changes(a, b);
  if (changes.length === 0) return out;
  return `${out}--- ${aName}\n+++ ${bName}\n${unifiedHunks(a, b, changes, steps)}`;
}

export function patch(pairs: FilePair[], steps: DiffSteps = diffSteps): Uint8Array {
  return Buffer.from(pairs.map((p) => patchOf(p, steps)).join(""), "latin1");
}
