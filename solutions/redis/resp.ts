// RESP2 and RESP3, the Redis serialization protocol
// (https://redis.io/docs/reference/protocol-spec/).
//
// Requests: RequestParser is incremental. Feed it bytes as they arrive (a
// request may be split at any byte, one chunk may hold many pipelined
// requests) and pull complete commands with next(). Two request forms exist:
//   - multibulk: "*<argc>\r\n" then argc times "$<len>\r\n<len bytes>\r\n";
//     binary-safe, this is what client libraries send;
//   - inline: any line not starting with '*', split like a shell (inline.ts).
// Limits and error texts follow Redis 7.0's networking.c behaviour:
//   - "*<n>" with n <= 0 is an empty request and is skipped; n > 2^31-1 or
//     not an integer is "invalid multibulk length";
//   - bulk lengths must be 0..512 MB ("invalid bulk length");
//   - a count line or inline line over 64 KB without its terminator is an
//     error ("too big ..."), so a peer cannot make us buffer a line forever;
//   - as in Redis the two bytes after bulk data are skipped, not checked.
// After a protocol error the parser stops: the server replies
// "-ERR <message>" and closes the connection, as Redis does.
//
// Replies: encodeSimple/encodeError/encodeInteger/encodeBulk/encodeArray
// produce wire bytes; encodeReply renders a Reply value (reply.ts) in the
// client's protocol: RESP2, or RESP3 after HELLO 3 (maps, sets, doubles, the
// null "_", push messages, verbatim strings; each has a RESP2 form).

import { splitInlineArgs } from "./inline.ts";
import { parseSmallInt } from "./int64.ts";
import { formatScore } from "./double.ts";
import { array, bulk, bulkText, type Reply } from "./reply.ts";

export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
export const PROTO_MAX_BULK_LEN = 512 * 1024 * 1024;
const MAX_MULTIBULK_LEN = 2 ** 31 - 1;
/** Bulk arguments at least this big are assembled in their own buffer. */
const BIG_ARG = 32 * 1024;

const CR = 0x0d;
const LF = 0x0a;
const STAR = 0x2a;
const DOLLAR = 0x24;

export type ParsedRequest =
  | { readonly kind: "command"; readonly argv: Buffer[] }
  /** `message` is the text after "ERR ", e.g. "Protocol error: invalid bulk length". */
  | { readonly kind: "protocol-error"; readonly message: string };

/** Returned by the read* steps for an empty request that is skipped. */
const SKIP = Symbol("skip");
type Step = ParsedRequest | null | typeof SKIP;

const EMPTY = Buffer.alloc(0);

export class RequestParser {
  /** Unconsumed input is buf[pos..]. */
  protected buf: Buffer = EMPTY;
  protected pos = 0;

  // Progress through a multibulk request that is not complete yet.
  private argv: Buffer[] | null = null;
  private argsLeft = 0;
  private bulkLen = -1;
  /** A big bulk argument being filled straight from incoming chunks. */
  private bigArg: Buffer | null = null;
  private bigArgFilled = 0;

  private failed = false;

  /** Bytes received but not yet consumed by a complete or partial request. */
  get unconsumed(): number {
    return this.buf.length - this.pos;
  }

  /**
   * Adds bytes received from the peer. `owned`: the caller will not reuse or
   * change `chunk` (Bun hands each socket read its own buffer), so it need
   * not be copied.
   */
  feed(chunk: Uint8Array, owned = false): void {
    if (this.failed || chunk.length === 0) return;
    if (this.bigArg !== null && this.bigArgFilled < this.bigArg.length) {
      const take = Math.min(chunk.length, this.bigArg.length - this.bigArgFilled);
      this.bigArg.set(chunk.subarray(0, take), this.bigArgFilled);
      this.bigArgFilled += take;
      chunk = chunk.subarray(take);
      if (chunk.length === 0) return;
    }
    if (this.pos >= this.buf.length) {
      this.buf = owned && chunk instanceof Buffer ? chunk : Buffer.from(chunk); // else a copy: the caller may reuse its chunk
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
    }
    this.pos = 0;
  }

  /**
   * The next complete request, or null if more bytes are needed (or the
   * parser has stopped after a protocol error).
   */
  next(): ParsedRequest | null {
    while (!this.failed) {
      let step: Step;
      if (this.argv !== null) step = this.readMultibulk();
      else if (this.pos >= this.buf.length) return null;
      else if (this.buf[this.pos] === STAR) step = this.readMultibulk();
      else step = this.readInline();
      if (step === SKIP) continue;
      if (step !== null && step.kind === "protocol-error") {
        this.reset();
        this.failed = true;
      }
      return step;
    }
    return null;
  }

  /** Drops all buffered input and any partly parsed request. */
  reset(): void {
    this.buf = EMPTY;
    this.pos = 0;
    this.argv = null;
    this.argsLeft = 0;
    this.bulkLen = -1;
    this.bigArg = null;
    this.bigArgFilled = 0;
  }

  /** Bytes received but not yet returned as part of a request. */
  get buffered(): number {
    return this.buf.length - this.pos + this.bigArgFilled;
  }

  /** True when no partial request is pending (the next byte starts a request). */
  get atRequestBoundary(): boolean {
    return this.argv === null;
  }

  protected protocolError(message: string): ParsedRequest {
    return { kind: "protocol-error", message: `Protocol error: ${message}` };
  }

  /**
   * Index of the first `byte` at or after `from`, or -1. Redis searches its
   * buffer as a C string, so a NUL byte before the terminator hides it (the
   * request then waits for more data, up to the 64 KB limit); we do the same.
   */
  private find(byte: number, from: number): number {
    // A plain loop: lines are short, and it checks for NUL in the same pass.
    const buf = this.buf;
    for (let i = from; i < buf.length; i++) {
      const c = buf[i];
      if (c === byte) return i;
      if (c === 0) return -1;
    }
    return -1;
  }

  /** Index of the CR ending the line at `from` if a byte follows it, else -1. */
  private findLineEnd(from: number): number {
    const cr = this.find(CR, from);
    return cr >= 0 && cr + 1 < this.buf.length ? cr : -1;
  }

  protected readMultibulk(): Step {
    const buf = this.buf;
    if (this.argv === null) {
      const cr = this.findLineEnd(this.pos);
      if (cr < 0) {
        if (buf.length - this.pos > PROTO_INLINE_MAX_SIZE) {
          return this.protocolError("too big mbulk count string");
        }
        return null;
      }
      const count = parseSmallInt(buf, this.pos + 1, cr);
      if (count === null || count > MAX_MULTIBULK_LEN) {
        return this.protocolError("invalid multibulk length");
      }
      this.pos = cr + 2;
      if (count <= 0) return SKIP;
      this.argv = [];
      this.argsLeft = count;
    }

    while (this.argsLeft > 0) {
      if (this.bulkLen < 0) {
        const cr = this.findLineEnd(this.pos);
        if (cr < 0) {
          if (buf.length - this.pos > PROTO_INLINE_MAX_SIZE) {
            return this.protocolError("too big bulk count string");
          }
          return null;
        }
        if (buf[this.pos] !== DOLLAR) {
          // Redis formats the byte with "%c": a NUL byte ends the message.
          const b = buf[this.pos]!;
          const got = b === 0 ? "'" : `'${String.fromCharCode(b)}'`;
          return this.protocolError(`expected '$', got ${got}`);
        }
        const len = parseSmallInt(buf, this.pos + 1, cr);
        if (len === null || len < 0 || len > PROTO_MAX_BULK_LEN) {
          return this.protocolError("invalid bulk length");
        }
        this.pos = cr + 2;
        this.bulkLen = len;
      }

      let arg: Buffer;
      if (this.bigArg !== null) {
        if (this.bigArgFilled < this.bigArg.length) return null;
        if (this.buf.length - this.pos < 2) return null; // trailing CRLF
        arg = this.bigArg;
        this.bigArg = null;
        this.bigArgFilled = 0;
        this.pos += 2;
      } else {
        const available = this.buf.length - this.pos;
        if (available < this.bulkLen + 2) {
          if (this.bulkLen >= BIG_ARG) {
            // Collect the argument in its own buffer so that its remaining
            // bytes are copied once, instead of re-concatenating `buf`.
            const take = Math.min(available, this.bulkLen);
            this.bigArg = Buffer.allocUnsafe(this.bulkLen);
            this.buf.copy(this.bigArg, 0, this.pos, this.pos + take);
            this.bigArgFilled = take;
            this.pos += take;
          }
          return null;
        }
        arg = Buffer.allocUnsafe(this.bulkLen);
        this.buf.copy(arg, 0, this.pos, this.pos + this.bulkLen);
        this.pos += this.bulkLen + 2;
      }
      this.argv!.push(arg);
      this.bulkLen = -1;
      this.argsLeft--;
    }

    const argv = this.argv!;
    this.argv = null;
    return { kind: "command", argv };
  }

  protected readInline(): Step {
    const lf = this.find(LF, this.pos);
    if (lf < 0) {
      if (this.buf.length - this.pos > PROTO_INLINE_MAX_SIZE) {
        return this.protocolError("too big inline request");
      }
      return null;
    }
    let end = lf;
    if (end > this.pos && this.buf[end - 1] === CR) end--;
    const argv = splitInlineArgs(this.buf.subarray(this.pos, end));
    if (argv === null) return this.protocolError("unbalanced quotes in request");
    this.pos = lf + 1;
    if (argv.length === 0) return SKIP;
    return { kind: "command", argv };
  }
}

// ---------------------------------------------------------------------------
// Reply encoding

const CRLF = Buffer.from("\r\n");
const NULL_BULK_BYTES = Buffer.from("$-1\r\n");
const NULL_ARRAY_BYTES = Buffer.from("*-1\r\n");

/** Simple strings and errors are one line: CR and LF become spaces. */
function oneLine(s: string): string {
  return /[\r\n]/.test(s) ? s.replace(/[\r\n]/g, " ") : s;
}

/** Encodings of the short simple strings replied over and over (OK, PONG, QUEUED). */
const simpleCache = new Map<string, Buffer>();

/** "+<text>\r\n"; `text` is a byte string (one char per byte). */
export function encodeSimple(text: string): Buffer {
  const cached = simpleCache.get(text);
  if (cached !== undefined) return cached;
  const bytes = Buffer.from(`+${oneLine(text)}\r\n`, "latin1");
  if (text.length <= 16 && simpleCache.size < 64) simpleCache.set(text, bytes);
  return bytes;
}

/** "-<message>\r\n"; `message` includes its code, e.g. "ERR syntax error". */
export function encodeError(message: string): Buffer {
  return Buffer.from(`-${oneLine(message)}\r\n`, "latin1");
}

export function encodeInteger(value: number | bigint): Buffer {
  return Buffer.from(`:${value}\r\n`, "latin1");
}

/** "$<len>\r\n<bytes>\r\n", or the null bulk "$-1\r\n" for null. */
export function encodeBulk(value: Uint8Array | null): Buffer {
  if (value === null) return NULL_BULK_BYTES;
  return Buffer.concat([Buffer.from(`$${value.length}\r\n`, "latin1"), value, CRLF]);
}

/** "*<n>\r\n" followed by the already-encoded items, or "*-1\r\n" for null. */
export function encodeArray(items: readonly Uint8Array[] | null): Buffer {
  if (items === null) return NULL_ARRAY_BYTES;
  return Buffer.concat([Buffer.from(`*${items.length}\r\n`, "latin1"), ...items]);
}

/** The protocol a client speaks: RESP2 until HELLO 3. */
export type Protocol = 2 | 3;

const NULL_BYTES = Buffer.from("_\r\n");

/** A RESP3-only reply in its RESP2 form. */
function lower(reply: Reply): Reply {
  switch (reply.kind) {
    case "map":
    case "pairs":
      return array(reply.value.flat());
    case "set":
    case "push":
      return array(reply.value);
    case "double":
      return bulkText(formatScore(reply.value));
    case "verbatim":
      return bulk(reply.value);
    default:
      return reply;
  }
}

/** The RESP3 type byte of a collection reply. */
const RESP3_PREFIX = { map: "%", set: "~", push: ">" } as const;

/** The parts of a RESP3 reply that RESP2 lacks, flattened for the encoders: a header line and the items that follow it. */
function resp3Parts(reply: Reply & { kind: "map" | "set" | "push" | "pairs" }): { header: string; count: string; items: readonly Reply[] } {
  switch (reply.kind) {
    case "map":
      return { header: "%", count: String(reply.value.length), items: reply.value.flat() };
    case "pairs":
      return { header: "*", count: String(reply.value.length), items: reply.value.map((p) => array(p)) };
    default:
      return { header: RESP3_PREFIX[reply.kind], count: String(reply.value.length), items: reply.value };
  }
}

const VERBATIM_TXT = Buffer.from("txt:");

function appendReply(out: Uint8Array[], reply: Reply, proto: Protocol): void {
  switch (reply.kind) {
    case "simple":
      out.push(encodeSimple(reply.value));
      return;
    case "error":
      out.push(encodeError(reply.value));
      return;
    case "integer":
      out.push(encodeInteger(reply.value));
      return;
    case "bulk":
      out.push(Buffer.from(`$${reply.value.length}\r\n`, "latin1"), reply.value, CRLF);
      return;
    case "null-bulk":
      out.push(proto === 3 ? NULL_BYTES : NULL_BULK_BYTES);
      return;
    case "array":
      out.push(Buffer.from(`*${reply.value.length}\r\n`, "latin1"));
      for (const item of reply.value) appendReply(out, item, proto);
      return;
    case "null-array":
      out.push(proto === 3 ? NULL_BYTES : NULL_ARRAY_BYTES);
      return;
    case "map":
    case "set":
    case "push":
    case "pairs": {
      if (proto === 2) return appendReply(out, lower(reply), proto);
      const { header, count, items } = resp3Parts(reply);
      out.push(Buffer.from(`${header}${count}\r\n`, "latin1"));
      for (const item of items) appendReply(out, item, proto);
      return;
    }
    case "double":
      if (proto === 2) return appendReply(out, lower(reply), proto);
      out.push(Buffer.from(`,${formatScore(reply.value)}\r\n`, "latin1"));
      return;
    case "verbatim":
      if (proto === 2) return appendReply(out, lower(reply), proto);
      out.push(Buffer.from(`=${reply.value.length + 4}\r\n`, "latin1"), VERBATIM_TXT, reply.value, CRLF);
      return;
    case "many":
      for (const item of reply.value) appendReply(out, item, proto);
      return;
    case "raw":
      out.push(reply.value);
      return;
    case "none":
      return;
  }
}

/** Bytes `reply` takes on the wire. Text is latin1: one byte per char. */
function encodedSize(reply: Reply, proto: Protocol): number {
  switch (reply.kind) {
    case "simple":
    case "error":
      return reply.value.length + 3;
    case "integer":
      return String(reply.value).length + 3;
    case "bulk":
      return String(reply.value.length).length + reply.value.length + 5;
    case "null-bulk":
    case "null-array":
      return proto === 3 ? 3 : 5;
    case "array": {
      let n = String(reply.value.length).length + 3;
      for (const item of reply.value) n += encodedSize(item, proto);
      return n;
    }
    case "map":
    case "set":
    case "push":
    case "pairs": {
      if (proto === 2) return encodedSize(lower(reply), proto);
      const { count, items } = resp3Parts(reply);
      let n = count.length + 3;
      for (const item of items) n += encodedSize(item, proto);
      return n;
    }
    case "double":
      if (proto === 2) return encodedSize(lower(reply), proto);
      return formatScore(reply.value).length + 3;
    case "verbatim":
      if (proto === 2) return encodedSize(lower(reply), proto);
      return String(reply.value.length + 4).length + reply.value.length + 9;
    case "many": {
      let n = 0;
      for (const item of reply.value) n += encodedSize(item, proto);
      return n;
    }
    case "raw":
      return reply.value.length;
    case "none":
      return 0;
  }
}

/** Writes "<prefix><text>\r\n" at `at`; returns the offset after it. */
function writeLine(out: Buffer, at: number, prefix: string, text: string): number {
  at += out.write(prefix, at, "latin1");
  at += out.write(text, at, "latin1");
  out[at] = 0x0d;
  out[at + 1] = 0x0a;
  return at + 2;
}

/** Writes `reply` into `out` at `at`; returns the offset after it. */
function writeReply(out: Buffer, at: number, reply: Reply, proto: Protocol): number {
  switch (reply.kind) {
    case "simple":
      return writeLine(out, at, "+", oneLine(reply.value));
    case "error":
      return writeLine(out, at, "-", oneLine(reply.value));
    case "integer":
      return writeLine(out, at, ":", String(reply.value));
    case "bulk":
      at = writeLine(out, at, "$", String(reply.value.length));
      out.set(reply.value, at);
      at += reply.value.length;
      out[at] = 0x0d;
      out[at + 1] = 0x0a;
      return at + 2;
    case "null-bulk":
      return at + (proto === 3 ? NULL_BYTES : NULL_BULK_BYTES).copy(out, at);
    case "null-array":
      return at + (proto === 3 ? NULL_BYTES : NULL_ARRAY_BYTES).copy(out, at);
    case "array":
      at = writeLine(out, at, "*", String(reply.value.length));
      for (const item of reply.value) at = writeReply(out, at, item, proto);
      return at;
    case "map":
    case "set":
    case "push":
    case "pairs": {
      if (proto === 2) return writeReply(out, at, lower(reply), proto);
      const { header, count, items } = resp3Parts(reply);
      at = writeLine(out, at, header, count);
      for (const item of items) at = writeReply(out, at, item, proto);
      return at;
    }
    case "double":
      if (proto === 2) return writeReply(out, at, lower(reply), proto);
      return writeLine(out, at, ",", formatScore(reply.value));
    case "verbatim":
      if (proto === 2) return writeReply(out, at, lower(reply), proto);
      at = writeLine(out, at, "=", String(reply.value.length + 4));
      at += VERBATIM_TXT.copy(out, at);
      out.set(reply.value, at);
      at += reply.value.length;
      out[at] = 0x0d;
      out[at + 1] = 0x0a;
      return at + 2;
    case "many":
      for (const item of reply.value) at = writeReply(out, at, item, proto);
      return at;
    case "raw":
      out.set(reply.value, at);
      return at + reply.value.length;
    case "none":
      return at;
  }
}

/** Above this, replies are encoded part by part (the old way) rather than sized first. */
const COPY_LIMIT = 64 * 1024;

/** The wire bytes of a reply value (RESP2 unless `proto` is 3). */
export function encodeReply(reply: Reply, proto: Protocol = 2): Buffer {
  return encodeReplies([reply], proto);
}

/** Wire bytes of several replies back to back (e.g. all replies for one read), in the client's protocol. */
export function encodeReplies(replies: readonly Reply[], proto: Protocol = 2): Buffer {
  let size = 0;
  for (const r of replies) size += encodedSize(r, proto);
  if (size > COPY_LIMIT) {
    const parts: Uint8Array[] = [];
    for (const r of replies) appendReply(parts, r, proto);
    return Buffer.concat(parts);
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const r of replies) at = writeReply(out, at, r, proto);
  return at === size ? out : out.subarray(0, at);
}
