/**
 * The harness's own RESP2 reply reader, used to check what a program sends
 * (https://redis.io/docs/reference/protocol-spec/). It reports the first byte
 * that breaks the protocol, so failures can point a caret at it.
 */

export type RespValue =
  | { type: "simple"; value: string }
  | { type: "error"; value: string }
  | { type: "integer"; value: bigint }
  | { type: "bulk"; value: Buffer | null }
  | { type: "array"; value: RespValue[] | null };

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

function parseAt(buf: Buffer, pos: number, depth: number): { value: RespValue; end: number } {
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
      const len = Number(integer(text, pos + 1, "a bulk string length"));
      if (len === -1) return { value: { type: "bulk", value: null }, end: next };
      if (len < 0) throw new Invalid(pos + 1, `a bulk string length must be ≥ 0 or -1, got ${len}`);
      if (next + len + 2 > buf.length) {
        // Enough bytes for the body but the terminator is wrong?
        if (next + len < buf.length && buf[next + len] !== CR) throw new Invalid(next + len, `expected \\r\\n after the ${len}-byte bulk string: is the length counted in bytes?`);
        throw new Incomplete();
      }
      if (buf[next + len] !== CR || buf[next + len + 1] !== LF) throw new Invalid(next + len, `expected \\r\\n after the ${len}-byte bulk string: is the length counted in bytes?`);
      return { value: { type: "bulk", value: Buffer.from(buf.subarray(next, next + len)) }, end: next + len + 2 };
    }
    case 0x2a: {
      // *
      const count = Number(integer(text, pos + 1, "an array length"));
      if (count === -1) return { value: { type: "array", value: null }, end: next };
      if (count < 0) throw new Invalid(pos + 1, `an array length must be ≥ 0 or -1, got ${count}`);
      const items: RespValue[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const r = parseAt(buf, at, depth + 1);
        items.push(r.value);
        at = r.end;
      }
      return { value: { type: "array", value: items }, end: at };
    }
    default:
      throw new Invalid(pos, `a RESP reply starts with one of + - : $ *, not ${JSON.stringify(String.fromCharCode(tag))}`);
  }
}

/** Parses one reply at the start of `buf`. */
export function parseReply(buf: Buffer): ParseOutcome {
  try {
    const r = parseAt(buf, 0, 0);
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
      if (v.value === null) return "(nil)";
      if (v.value.length === 0) return "(empty array)";
      return v.value.map((item, i) => `${i === 0 ? "" : indent}${i + 1}) ${showReply(item, `${indent}   `)}`).join("\n");
  }
}
