/**
 * SQL values and their rules (https://www.sqlite.org/datatype3.html):
 * INTEGER is a bigint, REAL a number, TEXT a string, BLOB bytes, NULL null.
 * Sort order (§4.1): NULL < INTEGER/REAL (numerically) < TEXT < BLOB.
 */
import { quirks } from "./quirks.ts";

export type Value = null | bigint | number | string | Uint8Array;

export type Affinity = "TEXT" | "NUMERIC" | "INTEGER" | "REAL" | "BLOB" | "NONE";

const MAX_I64 = 9223372036854775807n;
const MIN_I64 = -9223372036854775808n;

function typeRank(v: Value): number {
  if (v === null) return 0;
  if (typeof v === "bigint" || typeof v === "number") return 1;
  if (typeof v === "string") return 2;
  return 3;
}

/** Compares an integer with a real exactly. */
function cmpIntReal(a: bigint, b: number): number {
  if (Number.isNaN(b)) return 1;
  if (b >= 9.3e18) return -1;
  if (b <= -9.3e18) return 1;
  const fb = Math.floor(b);
  const ib = BigInt(fb);
  if (a < ib) return -1;
  if (a > ib) return 1;
  return fb < b ? -1 : 0;
}

function cmpBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Total order of §4.1 with the BINARY collation. */
export function compareValues(a: Value, b: Value): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return quirks.blobsBeforeTexts && ra + rb === 5 ? rb - ra : ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      if (typeof a === "bigint") {
        if (typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
        return cmpIntReal(a, b as number);
      }
      if (typeof b === "bigint") return -cmpIntReal(b, a as number);
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 2:
      return a! < b! ? -1 : a! > b! ? 1 : 0;
    default:
      return cmpBytes(a as Uint8Array, b as Uint8Array);
  }
}

/** Affinity of a declared column type (datatype3 §3.1). */
export function affinityOf(declared: string): Affinity {
  const t = declared.toUpperCase();
  if (quirks.affinityExactTypeNames) return ({ INTEGER: "INTEGER", INT: "INTEGER", TEXT: "TEXT", REAL: "REAL", BLOB: "BLOB", "": "BLOB" } as Record<string, Affinity>)[t.trim()] ?? "NUMERIC";
  if (t.includes("INT")) return "INTEGER";
  if (t.includes("CHAR") || t.includes("CLOB") || t.includes("TEXT")) return "TEXT";
  if (t.includes("BLOB") || t.trim() === "") return "BLOB";
  if (t.includes("REAL") || t.includes("FLOA") || t.includes("DOUB")) return "REAL";
  return "NUMERIC";
}

const INT_RE = /^\s*[+-]?\d+\s*$/;
const REAL_RE = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** A text that is a well-formed numeric literal, as a number value; else undefined. */
export function textAsNumber(s: string): bigint | number | undefined {
  if (quirks.numericTextWithoutSpaces && s.trim() !== s) return undefined;
  if (INT_RE.test(s)) {
    const v = BigInt(s.trim());
    if (v > MAX_I64 || v < MIN_I64) return Number(s.trim());
    return v;
  }
  if (REAL_RE.test(s)) return Number(s.trim());
  return undefined;
}

/** A real that NUMERIC affinity stores as an integer: a whole number strictly between -2^63 and 2^63 (as sqlite3 3.40 does). */
export function realIsInt(n: number): boolean {
  return Number.isInteger(n) && n > -9223372036854775808 && n < 9223372036854775808;
}

/** Applies NUMERIC affinity (§3): text that looks like a number becomes one. */
export function applyNumeric(v: Value): Value {
  if (typeof v !== "string") return v;
  const n = textAsNumber(v);
  if (n === undefined) return v;
  if (typeof n === "number" && realIsInt(n) && /[.eE]/.test(v)) return BigInt(n);
  return n;
}

/** Applies TEXT affinity: numbers become their text. */
export function applyText(v: Value): Value {
  if (typeof v === "bigint" || typeof v === "number") return valueToText(v);
  return v;
}

export function applyAffinity(v: Value, aff: Affinity): Value {
  switch (aff) {
    case "INTEGER":
    case "NUMERIC":
      return applyNumeric(v);
    case "REAL": {
      const n = applyNumeric(v);
      return typeof n === "bigint" ? Number(n) : n;
    }
    case "TEXT":
      return applyText(v);
    default:
      return v;
  }
}

/** The longest numeric prefix of a text, as CAST(x AS NUMERIC) reads it (0 when none). */
export function numericPrefix(s: string): bigint | number {
  const m = /^\s*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/.exec(s);
  if (!m) return 0n;
  const txt = m[1]!;
  if (/^[+-]?\d+$/.test(txt)) {
    const v = BigInt(txt);
    return v > MAX_I64 || v < MIN_I64 ? Number(txt) : v;
  }
  return Number(txt);
}

/** A value as a number for arithmetic: integers stay bigint. */
export function toNumeric(v: Value): bigint | number | null {
  if (v === null) return null;
  if (typeof v === "bigint" || typeof v === "number") return v;
  if (typeof v === "string") return numericPrefix(v);
  return numericPrefix(new TextDecoder().decode(v));
}

/** SQLite's "%!.15g": 15 significant digits, always a decimal point. */
export function formatReal(x: number): string {
  if (Number.isNaN(x)) return "";
  if (x === Infinity) return "Inf";
  if (x === -Infinity) return "-Inf";
  if (x === 0) return "0.0";
  const e = x.toExponential(14);
  const m = /^(-?)(\d)\.(\d+)e([+-]\d+)$/.exec(e)!;
  const sign = m[1]!;
  const digits = (m[2]! + m[3]!).replace(/0+$/, "") || "0";
  const exp = Number(m[4]);
  if ((exp < -4 && !quirks.realExponentOnlyWhenLarge) || exp >= 15) {
    const frac = digits.slice(1) || "0";
    const ex = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${sign}${digits[0]}.${frac}e${exp < 0 ? "-" : "+"}${ex}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1) || "0";
  return `${sign}${int}.${frac}`;
}

/** A value as text, the way sqlite3 prints it (NULL prints as nothing). */
export function valueToText(v: Value): string {
  if (v === null) return "";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return formatReal(v);
  if (typeof v === "string") return v;
  return new TextDecoder().decode(v);
}

/** Truth of a value in WHERE / AND / OR: NULL is unknown (null). */
export function truth(v: Value): boolean | null {
  if (v === null) return null;
  const n = toNumeric(v);
  if (typeof n === "bigint") return n !== 0n;
  return n !== 0;
}

/** Normalizes arithmetic results: an integer that overflowed 64 bits becomes a real. */
export function intResult(v: bigint): bigint | number {
  if (v > MAX_I64 || v < MIN_I64) return Number(v);
  return v;
}
