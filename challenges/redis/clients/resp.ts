/**
 * The harness's own RESP2 reply reader, used to check what a program sends
 * (https://redis.io/docs/reference/protocol-spec/). It reports the first byte
 * that breaks the protocol, so failures can point a caret at it. With
 * `{ resp3: true }` it also reads RESP3's types (null, boolean, double, big
 * number, verbatim string, map, set, push), for a connection after HELLO 3;
 * without it those type bytes are invalid, as they are in RESP2.
 */

export type RespValue =
  | { type: "simple"; value: string }
  | { type: "error"; value: string }
  | { type: "integer"; value: bigint }
  | { type: "bulk"; value: Buffer | null }
  | { type: "array"; value: RespValue[] | null }
  // RESP3 only:
  | { type: "null" }
  | { type: "boolean"; value: boolean }
  | { type: "double"; value: string }
  | { type: "bignum"; value: string }
  | { type: "verbatim"; format: string; value: Buffer }
  | { type: "map"; value: [RespValue, RespValue][] }
  | { type: "set"; value: RespValue[] }
  | { type: "push"; value: RespValue[] };

export interface ParseOptions {
  /** Read RESP3 types too (a connection after HELLO 3). */
  resp3?: boolean;
}

export type ParseOutcome =
  | { kind: "value"; value: RespValue; end: number }
  | { kind: "incomplete" }
  | { kind: "invalid"; offset: number; problem: string };

const CR = 0x0d;
const LF = 0x0a;

class Invalid {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {}
}
class Incomplete {}

function line(buf: Buffer, start: number): { text: string; next: number } {
  for (let i = start; i < buf.length; i++) {
    if (buf[i] === CR) {
      if (i + 1 >= buf.length) throw new Incomplete();
      if (buf[i + 1] !== LF) throw new Invalid(i + 1, "expected \\n after \\r");
      return { text: buf.toString("latin1", start, i), next: i + 2 };
    }
    if (buf[i] === LF) throw new Invalid(i, "a bare \\n: lines in RESP end with \\r\\n");
  }
  throw new Incomplete();
}

function integer(text: string, offset: number, what: string): bigint {
  if (!/^-?\d+$/.test(text)) throw new Invalid(offset, `${what} must be an integer, got "${text}"`);
  return BigInt(text);
}

/** "<len>\r\n<len bytes>\r\n" after a type byte (bulk strings, verbatim strings): the payload, or null for length -1. */
function blob(buf: Buffer, pos: number, text: string, next: number, what: string): { body: Buffer | null; end: number } {
  const len = Number(integer(text, pos + 1, `a ${what} length`));
  if (len === -1) return { body: null, end: next };
  if (len < 0) throw new Invalid(pos + 1, `a ${what} length must be ≥ 0 or -1, got ${len}`);
  if (next + len + 2 > buf.length) {
    // Enough bytes for the body but the terminator is wrong?
    if (next + len < buf.length && buf[next + len] !== CR) throw new Invalid(next + len, `expected \\r\\n after the ${len}-byte ${what}: is the length counted in bytes?`);
    throw new Incomplete();
  }
  if (buf[next + len] !== CR || buf[next + len + 1] !== LF) throw new Invalid(next + len, `expected \\r\\n after the ${len}-byte ${what}: is the length counted in bytes?`);
  return { body: Buffer.from(buf.subarray(next, next + len)), end: next + len + 2 };
}

/** `count` values from `at` on. */
function items(buf: Buffer, at: number, count: number, depth: number, opts: ParseOptions): { values: RespValue[]; end: number } {
  const values: RespValue[] = [];
  for (let i = 0; i < count; i++) {
    const r = parseAt(buf, at, depth + 1, opts);
    values.push(r.value);
    at = r.end;
  }
  return { values, end: at };
}

/** A RESP3 value (the type bytes RESP2 does not have), or null when `tag` is not one. */
function parseResp3(buf: Buffer, pos: number, tag: number, text: string, next: number, depth: number, opts: ParseOptions): { value: RespValue; end: number } | null {
  switch (tag) {
    case 0x5f: // _
      if (text !== "") throw new Invalid(pos + 1, `the RESP3 null is "_\\r\\n" with nothing between, got "${text}"`);
      return { value: { type: "null" }, end: next };
    case 0x23: // #
      if (text !== "t" && text !== "f") throw new Invalid(pos + 1, `a RESP3 boolean is "#t" or "#f", got "#${text}"`);
      return { value: { type: "boolean", value: text === "t" }, end: next };
    case 0x2c: // ,
      if (!/^(-?(inf|nan)|[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)$/.test(text)) throw new Invalid(pos + 1, `a RESP3 double must be a number, inf, -inf or nan, got "${text}"`);
      return { value: { type: "double", value: text }, end: next };
    case 0x28: // (
      if (!/^-?\d+$/.test(text)) throw new Invalid(pos + 1, `a RESP3 big number must be an integer, got "${text}"`);
      return { value: { type: "bignum", value: text }, end: next };
    case 0x3d: {
      // =
      const { body, end } = blob(buf, pos, text, next, "verbatim string");
      if (body === null || body.length < 4 || body[3] !== 0x3a) throw new Invalid(next, 'a RESP3 verbatim string starts with a 3-byte format and ":" ("txt:")');
      return { value: { type: "verbatim", format: body.toString("latin1", 0, 3), value: body.subarray(4) }, end };
    }
    case 0x25: // %
    case 0x7e: // ~
    case 0x3e: {
      // >
      const count = Number(integer(text, pos + 1, "an aggregate length"));
      if (count < 0) throw new Invalid(pos + 1, `a RESP3 map, set or push length must be ≥ 0, got ${count}`);
      if (tag !== 0x25) {
        const r = items(buf, next, count, depth, opts);
        return { value: { type: tag === 0x7e ? "set" : "push", value: r.values }, end: r.end };
      }
      const r = items(buf, next, count * 2, depth, opts);
      const pairs: [RespValue, RespValue][] = [];
      for (let i = 0; i < r.values.length; i += 2) pairs.push([r.values[i]!, r.values[i + 1]!]);
      return { value: { type: "map", value: pairs }, end: r.end };
    }
    default:
      return null;
  }
}

function parseAt(buf: Buffer, pos: number, depth: number, opts: ParseOptions): { value: RespValue; end: number } {
  if (pos >= buf.length) throw new Incomplete();
  if (depth > 64) throw new Invalid(pos, "arrays nested too deeply");
  const tag = buf[pos]!;
  const { text, next } = line(buf, pos + 1);
  switch (tag) {
    case 0x2b: // +
      return { value: { type: "simple", value: text }, end: next };
    case 0x2d: // -
      return { value: { type: "error", value: text }, end: next };
    case 0x3a: // :
      return { value: { type: "integer", value: integer(text, pos + 1, "an integer reply") }, end: next };
    case 0x24: {
      // $
      const { body, end } = blob(buf, pos, text, next, "bulk string");
      return { value: { type: "bulk", value: body }, end };
    }
    case 0x2a: {
      // *
      const count = Number(integer(text, pos + 1, "an array length"));
      if (count === -1) return { value: { type: "array", value: null }, end: next };
      if (count < 0) throw new Invalid(pos + 1, `an array length must be ≥ 0 or -1, got ${count}`);
      const r = items(buf, next, count, depth, opts);
      return { value: { type: "array", value: r.values }, end: r.end };
    }
    default: {
      const v = opts.resp3 ? parseResp3(buf, pos, tag, text, next, depth, opts) : null;
      if (v !== null) return v;
      if (opts.resp3) throw new Invalid(pos, `a RESP3 reply starts with one of + - : $ * _ # , ( = % ~ >, not ${JSON.stringify(String.fromCharCode(tag))}`);
      throw new Invalid(pos, `a RESP reply starts with one of + - : $ *, not ${JSON.stringify(String.fromCharCode(tag))}`);
    }
  }
}

/** Parses one reply at the start of `buf` (RESP2, or RESP3 too with `{ resp3: true }`). */
export function parseReply(buf: Buffer, opts: ParseOptions = {}): ParseOutcome {
  try {
    const r = parseAt(buf, 0, 0, opts);
    return { kind: "value", value: r.value, end: r.end };
  } catch (e) {
    if (e instanceof Incomplete) return { kind: "incomplete" };
    if (e instanceof Invalid) return { kind: "invalid", offset: e.offset, problem: e.problem };
    throw e;
  }
}

/** A command as a RESP array of bulk strings, as clients send it. */
export function encodeCommand(args: readonly (string | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === "string" ? Buffer.from(a, "utf8") : Buffer.from(a);
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** A reply shown the way redis-cli shows it in a terminal. */
export function showReply(v: RespValue, indent = ""): string {
  switch (v.type) {
    case "simple":
      return v.value;
    case "error":
      return `(error) ${v.value}`;
    case "integer":
      return `(integer) ${v.value}`;
    case "bulk":
      return v.value === null ? "(nil)" : JSON.stringify(v.value.toString("latin1"));
    case "array":
    case "push":
      if (v.value === null) return "(nil)";
      if (v.value.length === 0) return "(empty array)";
      return v.value.map((item, i) => `${i === 0 ? "" : indent}${i + 1}) ${showReply(item, `${indent}   `)}`).join("\n");
    case "null":
      return "(nil)";
    case "boolean":
      return v.value ? "(true)" : "(false)";
    case "double":
      return `(double) ${v.value}`;
    case "bignum":
      return `(big number) ${v.value}`;
    case "verbatim":
      return v.value.toString("latin1");
    case "set":
      if (v.value.length === 0) return "(empty set)";
      return v.value.map((item, i) => `${i === 0 ? "" : indent}${i + 1}~ ${showReply(item, `${indent}   `)}`).join("\n");
    case "map":
      if (v.value.length === 0) return "(empty hash)";
      return v.value.map(([k, item], i) => `${i === 0 ? "" : indent}${i + 1}# ${showReply(k, `${indent}   `)} => ${showReply(item, `${indent}   `)}`).join("\n");
  }
}
