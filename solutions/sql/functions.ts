/** Core scalar functions (https://www.sqlite.org/lang_corefunc.html) and aggregates (lang_aggfunc.html). */
import { quirks } from "./quirks.ts";
import { SqlError } from "./tokenizer.ts";
import { compareValues, intResult, numericPrefix, textAsNumber, toNumeric, valueToText, type Value } from "./value.ts";

function text(v: Value): string {
  return valueToText(v);
}

function int(v: Value): bigint {
  const n = toNumeric(v);
  if (n === null) return 0n;
  return typeof n === "bigint" ? n : BigInt(Math.trunc(n));
}

function typeOf(v: Value): string {
  if (v === null) return "null";
  if (typeof v === "bigint") return "integer";
  if (typeof v === "number") return "real";
  if (typeof v === "string") return "text";
  return "blob";
}

function substr(args: Value[]): Value {
  if (args[0] === null || args[1] === null || args[2] === null) return null;
  // An empty blob has no bytes to point at: SQLite's substr gives NULL for it.
  if (args[0] instanceof Uint8Array && args[0].length === 0) return null;
  const chars = typeof args[0] === "object" ? [...(args[0] as Uint8Array)] : [...text(args[0]!)];
  let start = Number(int(args[1]!));
  let len = args.length > 2 ? Number(int(args[2]!)) : chars.length + 1;
  if (start < 0) start = chars.length + start + 1;
  else if (start === 0) {
    start = 1;
    len--;
  }
  if (len < 0) {
    start += len;
    len = -len;
  }
  let from = start - 1;
  let to = from + len;
  if (from < 0) from = 0;
  if (to > chars.length) to = chars.length;
  if (to <= from) return typeof args[0] === "object" ? new Uint8Array() : "";
  if (typeof args[0] === "object") return Uint8Array.from(chars.slice(from, to) as number[]);
  return (chars as string[]).slice(from, to).join("");
}

function round(args: Value[]): Value {
  if (args[0] === null) return null;
  const digits = args.length > 1 ? Math.max(0, Math.min(30, Number(int(args[1]!)))) : 0;
  const n = toNumeric(args[0]!)!;
  const x = Number(n);
  const f = 10 ** digits;
  const r = Math.sign(x) * Math.round(Math.abs(x) * f) / f;
  return r;
}

function trim(args: Value[], left: boolean, right: boolean): Value {
  if (args[0] === null) return null;
  const s = text(args[0]!);
  const set = args.length > 1 ? (args[1] === null ? null : text(args[1]!)) : " ";
  if (set === null) return null;
  let a = 0;
  let b = s.length;
  if (left) while (a < b && set.includes(s[a]!)) a++;
  if (right) while (b > a && set.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

const SCALARS: Record<string, (args: Value[]) => Value> = {
  LENGTH: ([v]) => (v === null ? null : v instanceof Uint8Array ? BigInt(v.length) : BigInt(quirks.lengthInBytes ? Buffer.byteLength(text(v!)) : [...text(v!)].length)),
  LOWER: ([v]) => (v === null ? null : text(v!).replace(/[A-Z]/g, (c) => c.toLowerCase())),
  UPPER: ([v]) => (v === null ? null : text(v!).replace(/[a-z]/g, (c) => c.toUpperCase())),
  TYPEOF: ([v]) => typeOf(v!),
  ABS: ([v]) => {
    if (v === null) return null;
    const n = toNumeric(v!)!;
    // Text and blobs are read as reals (SQLite's absFunc: sqlite3_value_double), so abs('3') is 3.0.
    if (typeof v === "string" || v instanceof Uint8Array) return Math.abs(Number(n));
    if (typeof n === "bigint") {
      if (n === -9223372036854775808n) throw new SqlError("integer overflow");
      return n < 0n ? -n : n;
    }
    return Math.abs(n);
  },
  // quote(): an SQL literal for the value (lang_corefunc.html#quote).
  QUOTE: ([v]) => {
    if (v === null || v === undefined) return "NULL";
    if (v instanceof Uint8Array) return `X'${Buffer.from(v).toString("hex").toUpperCase()}'`;
    // A text is quoted up to its first NUL, as SQLite's %Q reads it.
    if (typeof v === "string") return `'${v.split("\0")[0]!.replace(/'/g, "''")}'`;
    if (typeof v === "number" && Number.isFinite(v)) {
      // A real that %!.15g does not give back exactly is written with 20 digits after the point ("%!.20e").
      const short = valueToText(v);
      if (Number(short) !== v) return v.toExponential(20).replace(/e([+-])(\d)$/, "e$10$2");
    }
    return valueToText(v);
  },
  SUBSTR: substr,
  SUBSTRING: substr,
  COALESCE: (args) => args.find((a) => a !== null) ?? null,
  IFNULL: (args) => args.find((a) => a !== null) ?? null,
  NULLIF: ([a, b]) => (compareValues(a!, b!) === 0 ? null : a!),
  IIF: ([c, a, b]) => {
    const n = c === null ? null : toNumeric(c!);
    return n !== null && n != 0 ? a! : b!;
  },
  ROUND: round,
  HEX: ([v]) => Buffer.from(v instanceof Uint8Array ? v : new TextEncoder().encode(text(v!))).toString("hex").toUpperCase(),
  INSTR: ([a, b]) => {
    if (a === null || b === null) return null;
    const h = text(a!);
    const i = h.indexOf(text(b!));
    return i < 0 ? 0n : BigInt([...h.slice(0, i)].length + 1);
  },
  REPLACE: ([s, a, b]) => (s === null || a === null || b === null ? null : text(a!) === "" ? s! : text(s!).split(text(a!)).join(text(b!))),
  TRIM: (a) => trim(a, true, true),
  LTRIM: (a) => trim(a, true, false),
  RTRIM: (a) => trim(a, false, true),
  // Of equal arguments min() takes the later, max() the earlier (SQLite's minmaxFunc): min(15, 15.0) is 15.0, max(6, 6.0) is 6.
  MIN: (args) => (args.some((a) => a === null) ? null : args.reduce((m, a) => (compareValues(a, m) <= 0 ? a : m))),
  MAX: (args) => (args.some((a) => a === null) ? null : args.reduce((m, a) => (compareValues(a, m) > 0 ? a : m))),
  SIGN: ([v]) => {
    if (v === null) return null;
    const n = toNumeric(v!)!;
    return BigInt(Math.sign(Number(n)));
  },
};

export function scalarFunction(name: string): ((args: Value[]) => Value) | undefined {
  return SCALARS[name];
}

export const AGGREGATES = new Set(["COUNT", "SUM", "TOTAL", "AVG", "MIN", "MAX", "GROUP_CONCAT"]);

/** One aggregate's running state over a group. */
export class Accumulator {
  /** Rows counted (a number: exact far beyond any table's size). */
  private count = 0;
  /** An integer sum: `small` (a number, while the sum is a safe integer), then `isum` (a bigint, once `big`). */
  private small = 0;
  private isum = 0n;
  private big = false;
  private rsum = 0;
  private real = false;
  private best: Value = null;
  private seen = false;
  private parts: string[] = [];
  private sep = quirks.groupConcatCommaSpace ? ", " : ",";
  private readonly distinct = new Set<string>();

  constructor(
    readonly name: string,
    readonly star: boolean,
    readonly isDistinct: boolean,
  ) {}

  step(args: Value[]): void {
    if (this.star) {
      this.count++;
      return;
    }
    const v = args[0]!;
    if (v === null) return;
    if (this.isDistinct) {
      const key = groupKey([v]);
      if (this.distinct.has(key)) return;
      this.distinct.add(key);
    }
    this.count++;
    switch (this.name) {
      case "SUM":
      case "TOTAL":
      case "AVG": {
        // sqlite3_value_numeric_type: a text that is an integer adds exactly; any other text or blob adds
        // its numeric prefix as a real (so sum('3') is 3, sum('a') is 0.0, sum('2.0') is 2.0).
        const asNumber = typeof v === "string" ? textAsNumber(v) : undefined;
        const exact = typeof v === "bigint" || typeof asNumber === "bigint";
        const n = typeof v === "bigint" || typeof v === "number" ? v : (asNumber ?? Number(toNumeric(v)));
        if (typeof n === "bigint" && !this.real) {
          // While the whole sum is in `small` (a safe integer), adding a safe integer cannot overflow 64 bits.
          if (!this.big) {
            const x = Number(n);
            const sum = this.small + x;
            if (Number.isSafeInteger(x) && Number.isSafeInteger(sum)) {
              this.small = sum;
              break;
            }
          }
          this.isum += BigInt(this.small) + n;
          this.small = 0;
          this.big = true;
          if (this.isum > 9223372036854775807n || this.isum < -9223372036854775808n) {
            if (this.name === "SUM") throw new SqlError("integer overflow");
            this.real = true;
            this.rsum = Number(this.isum);
            this.isum = 0n;
          }
        } else {
          if (!this.real) {
            this.real = true;
            this.rsum = Number(this.integerSum());
          }
          this.rsum += Number(n);
        }
        if (!exact) this.real = true;
        break;
      }
      case "MIN":
      case "MAX":
        if (!this.seen || (this.name === "MIN" ? compareValues(v, this.best) < 0 : compareValues(v, this.best) > 0)) this.best = v;
        this.seen = true;
        break;
      case "GROUP_CONCAT":
        if (args.length > 1) this.sep = args[1] === null ? "" : text(args[1]!);
        this.parts.push((this.parts.length ? this.sep : "") + text(v));
        break;
    }
  }

  private integerSum(): bigint {
    return this.isum + BigInt(this.small);
  }

  result(): Value {
    switch (this.name) {
      case "COUNT":
        return BigInt(this.count);
      case "SUM":
        if (this.count === 0) return null;
        return this.real ? this.rsum : intResult(this.integerSum());
      case "TOTAL":
        return this.real ? this.rsum : Number(this.integerSum());
      case "AVG":
        if (this.count === 0) return null;
        return (this.real ? this.rsum : Number(this.integerSum())) / this.count;
      case "MIN":
      case "MAX":
        return this.best;
      default:
        return this.parts.length ? this.parts.join("") : null;
    }
  }
}

/** A key under which values that SQLite considers equal (1 and 1.0) collide. */
export function groupKey(values: Value[]): string {
  let key = "";
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (i > 0) key += "\u0000";
    if (v === null) key += "z";
    else if (typeof v === "bigint") key += `n${v}`;
    else if (typeof v === "number") key += Number.isInteger(v) && Math.abs(v) < 9e18 && !quirks.groupKeysByType ? `n${BigInt(v)}` : `r${v}`;
    else if (typeof v === "string") key += `t${v.length}:${v}`;
    else key += `b${Buffer.from(v).toString("hex")}`;
  }
  return key;
}
