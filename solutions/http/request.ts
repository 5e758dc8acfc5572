/**
 * An incremental HTTP/1.1 request parser (RFC 9112): feed it bytes as they
 * arrive; it returns each complete request, or an error status when the bytes
 * cannot be a valid request.
 */

/** The longest request line plus header section we accept, in bytes (beyond it: 431; a request line alone beyond it: 414). */
export const MAX_HEAD_BYTES = 8 * 1024;
/** The largest request body we accept, in bytes (beyond it: 413). */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface Request {
  method: string;
  /** The request target in origin form: `/echo/abc?x=1` (an absolute-form target, `http://host/echo/abc?x=1`, is reduced to it). */
  target: string;
  version: "HTTP/1.0" | "HTTP/1.1" | "HTTP/2";
  /** Field names lowercased (they are case-insensitive, RFC 9110 §5.1); repeated fields joined with ", ". */
  headers: Map<string, string>;
  /** The header fields as sent, names in their original case. */
  rawHeaders: [string, string][];
  body: Buffer;
  /** Fixture switch: the version the status line says, when not HTTP/1.1. */
  statusVersion?: string;
}

/** A request that cannot be answered normally: reply with this status and close the connection. */
export class ParseError extends Error {
  constructor(
    readonly status: 400 | 413 | 414 | 431 | 501 | 505,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const CRLF = Buffer.from("\r\n");
const END_OF_HEAD = Buffer.from("\r\n\r\n");
/** RFC 9110 §5.5: a field value with a control character other than HTAB (NUL, a bare CR, …) is rejected. */
const CTL_IN_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;

/** Parses the request line and header fields (everything before the empty line). */
function parseHead(head: string, opts: ParseOptions): Omit<Request, "body"> {
  // RFC 9112 §2.2: a recipient MAY take a bare LF as a line terminator (nginx does); a bare CR left in a line is invalid.
  const lines = head.split(opts.noBareLf ? "\r\n" : /\r?\n/);
  const requestLine = lines.shift() ?? "";
  // RFC 9112 §3: method SP request-target SP HTTP-version, single spaces.
  const parts = requestLine.split(" ");
  if (opts.lenientRequestLine) parts.splice(0, parts.length, parts[0] ?? "GET", parts[1] ?? "/", "HTTP/1.1");
  if (parts.length !== 3) throw new ParseError(400, `request line is not "method target version": ${JSON.stringify(requestLine)}`);
  const [method, target, rawVersion] = parts as [string, string, string];
  const version = opts.versionAnyCase ? rawVersion.toUpperCase() : rawVersion;
  if (!TOKEN.test(method) && !opts.methodAnyChars) throw new ParseError(400, `bad method ${JSON.stringify(method)}`);
  if (target === "" || /[\x00-\x20\x7f]/.test(target)) throw new ParseError(400, `bad request target ${JSON.stringify(target)}`);
  // RFC 9110 §15.6.6: a major version we do not support (HTTP/2.0 in an HTTP/1 request line) is a 505.
  if (/^HTTP\/[2-9]\.\d$/.test(version) && !opts.version505As400) throw new ParseError(505, `HTTP version ${version} not supported`);
  // RFC 9110 §2.5, RFC 9112 §2.3: a higher minor version of HTTP/1 (HTTP/1.2) is served as the highest we support, HTTP/1.1 (nginx does too).
  const higherMinor = /^HTTP\/1\.[2-9]$/.test(version) && opts.minorVersion !== "refused";
  if (version !== "HTTP/1.1" && version !== "HTTP/1.0" && !higherMinor) throw new ParseError(400, `bad HTTP version ${JSON.stringify(version)}`);
  const served = higherMinor ? (opts.minorVersion === "as-1.0" ? "HTTP/1.0" : "HTTP/1.1") : (version as "HTTP/1.0" | "HTTP/1.1");
  const headers = new Map<string, string>();
  const rawHeaders: [string, string][] = [];
  for (const line of lines) {
    // RFC 9112 §5.2: obsolete line folding is rejected.
    if (line.startsWith(" ") || line.startsWith("\t")) throw new ParseError(400, "obsolete line folding");
    // Fixture switch: a field is split at ": " (colon and space) only; a line without that space is ignored.
    if (opts.colonSpaceOnly && !line.includes(": ")) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new ParseError(400, `header line without a name and colon: ${JSON.stringify(line)}`);
    const name = opts.spaceBeforeColon ? line.slice(0, colon).trimEnd() : line.slice(0, colon);
    // RFC 9112 §5.1: no whitespace between the field name and the colon.
    if (!TOKEN.test(name)) throw new ParseError(400, `bad header name ${JSON.stringify(name)}`);
    const rest = line.slice(colon + 1);
    const ows = opts.valueSpaces === "kept" ? /^$/ : opts.valueSpaces === "trailing-kept" ? /^[ \t]+/ : /^[ \t]+|[ \t]+$/g;
    const value = (opts.valueToNextColon ? rest.split(":")[0]! : rest).replace(ows, "");
    if (CTL_IN_VALUE.test(value) && !opts.ctlInValues) throw new ParseError(400, `control character in the value of ${name}: ${JSON.stringify(value)}`);
    rawHeaders.push([name, value]);
    const key = name.toLowerCase();
    const prior = headers.get(key);
    const v = opts.lowercaseValues ? value.toLowerCase() : value;
    headers.set(key, prior === undefined ? v : `${prior}, ${v}`);
  }
  // RFC 9112 §3.2: an HTTP/1.1 request without exactly one Host is a 400.
  if (served === "HTTP/1.1" && (opts.severalHosts ? !headers.has("host") : (headers.get("host") ?? (opts.hostOptional ? "" : ",")).includes(","))) throw new ParseError(400, "HTTP/1.1 request without exactly one Host header");
  // RFC 9112 §3.2.2: a server MUST accept the absolute form; the target's authority replaces Host.
  const absolute = opts.noAbsoluteForm ? undefined : absoluteForm(target);
  if (absolute) headers.set("host", absolute.authority);
  const echoed = higherMinor && opts.minorVersion === "echoed" ? { statusVersion: version } : {};
  return { method, target: absolute?.target ?? target, version: served, headers, rawHeaders, ...echoed };
}

type BodyResult = { body: Buffer; used: number } | "incomplete";

/** A Content-Length body: exactly that many bytes after the head. */
function lengthBody(buf: Buffer, start: number, value: string, loose = false, atLimit = false, endsAtBlankLine = false, limitAfterBody = false): BodyResult {
  if (loose ? Number.isNaN(Number(value)) || value.trim() === "" : !/^\d+$/.test(value)) throw new ParseError(400, `bad Content-Length ${JSON.stringify(value)}`);
  const length = Number(value);
  // Fixture switch: the limit is checked only once the whole body is there.
  if (limitAfterBody && buf.length - start < length) return "incomplete";
  if (length > MAX_BODY_BYTES - (atLimit ? 1 : 0)) throw new ParseError(413, `body of ${length} bytes is over the limit of ${MAX_BODY_BYTES}`);
  // Fixture switch: the body ends at the first empty line in it (the bytes were split into requests on \r\n\r\n first).
  const blank = endsAtBlankLine ? buf.indexOf(END_OF_HEAD, start) : -1;
  if (blank >= 0 && blank + 4 < start + length) return { body: buf.subarray(start, blank + 4), used: blank + 4 };
  if (buf.length - start < length) return "incomplete";
  return { body: buf.subarray(start, start + length), used: start + length };
}

/** A chunked body (RFC 9112 §7.1): hex size [;ext] CRLF data CRLF …, then 0 CRLF, trailers, CRLF. */
function chunkedBody(buf: Buffer, start: number, noTrailers = false, limit = true, atLimit = false, sizeLine = /^[0-9A-Fa-f]{1,8}$/, extensions = true): BodyResult {
  const pieces: Buffer[] = [];
  let total = 0;
  let at = start;
  for (;;) {
    const eol = buf.indexOf(CRLF, at);
    if (eol < 0) {
      if (buf.length - at > 1024) throw new ParseError(400, "chunk size line too long");
      return "incomplete";
    }
    const line = buf.subarray(at, eol).toString("latin1");
    const sizeText = (extensions ? line.split(";")[0]! : line).trim();
    if (!sizeLine.test(sizeText)) throw new ParseError(400, `bad chunk size ${JSON.stringify(sizeText)}`);
    const size = parseInt(sizeText, 16);
    at = eol + 2;
    if (size === 0) break;
    total += size;
    if (limit && total > MAX_BODY_BYTES - (atLimit ? 1 : 0)) throw new ParseError(413, `chunked body over the limit of ${MAX_BODY_BYTES} bytes`);
    if (buf.length < at + size + 2) return "incomplete";
    if (buf[at + size] !== 13 || buf[at + size + 1] !== 10) throw new ParseError(400, "chunk data not followed by CRLF");
    pieces.push(buf.subarray(at, at + size));
    at += size + 2;
  }
  // Trailer fields (ignored), up to an empty line.
  if (noTrailers) {
    if (buf.length < at + 2) return "incomplete";
    return { body: Buffer.concat(pieces), used: at + 2 };
  }
  for (;;) {
    const eol = buf.indexOf(CRLF, at);
    if (eol < 0) return "incomplete";
    const empty = eol === at;
    at = eol + 2;
    if (empty) return { body: Buffer.concat(pieces), used: at };
  }
}

export interface ParseOptions {
  /** Fixture switch: read no chunked body (treat the request as bodiless). */
  ignoreChunked?: boolean;
  /** Fixture switch: after the last chunk, expect the empty line at once (no trailer fields). */
  noTrailers?: boolean;
  /** Fixture switch: a body of exactly 1 MiB is refused too (413 from 1,048,576 bytes, not above it). */
  refuseAtLimit?: boolean;
  /** Fixture switch: no limit on a chunked body's size. */
  noChunkedLimit?: boolean;
  /** Fixture switch: a request with neither Content-Length nor Transfer-Encoding waits for a body. */
  bodyWithoutLength?: boolean;
  /** Fixture switch: accept the HTTP-version in any case (http/1.1). */
  versionAnyCase?: boolean;
  /** Fixture switch: header lines split at ": " only, so `Name:value` (no space) is ignored. */
  colonSpaceOnly?: boolean;
  /** Fixture switch: accept several Host headers. */
  severalHosts?: boolean;
  /** Fixture switch: the header section's limit in bytes (default MAX_HEAD_BYTES). */
  headLimit?: number;
  /** Fixture switch: take the first two words of any request line as method and target. */
  lenientRequestLine?: boolean;
  /** Fixture switch: a header value ends at the next colon. */
  valueToNextColon?: boolean;
  /** Fixture switch: header values are lowercased along with the names. */
  lowercaseValues?: boolean;
  /** Fixture switch: any Content-Length that Number() reads (+3, 1e2) is taken. */
  looseContentLength?: boolean;
  /** Fixture switch: the header section's limit leaves the request line out. */
  limitWithoutRequestLine?: boolean;
  /** Fixture switch: buffer a header section of any size. */
  noHeaderLimit?: boolean;
  /** Fixture switch: an absolute-form target (http://host/path) is kept as it is, so no route matches it. */
  noAbsoluteForm?: boolean;
  /** Fixture switch: only CRLF ends a line (a request in bare LFs waits for an end that never comes). */
  noBareLf?: boolean;
  /** Fixture switch: control characters in header values are taken. */
  ctlInValues?: boolean;
  /** Fixture switch: a request line over the limit gets 431 like a header section (not 414). */
  longTarget431?: boolean;
  /** Fixture switch: HTTP/2.0 in a request line gets 400 like any bad version (not 505). */
  version505As400?: boolean;
  /** Fixture switch: a header section over the limit gets 431 only once its empty line has come. */
  limitOnlyWhenEnded?: boolean;
  /** Fixture switch: the whitespace around a header value is kept, all of it or what follows the value. */
  valueSpaces?: "kept" | "trailing-kept";
  /** Fixture switch: a method of any characters is taken (not only token characters). */
  methodAnyChars?: boolean;
  /** Fixture switch: whitespace between a header name and its colon is dropped, not refused. */
  spaceBeforeColon?: boolean;
  /** Fixture switch: an HTTP/1.1 request without Host is taken. */
  hostOptional?: boolean;
  /** Fixture switch: of several Content-Length values, the last one is used. */
  contentLengthLastWins?: boolean;
  /** Fixture switch: a Content-Length over the limit gets 413 only once the whole body has come. */
  limitAfterBody?: boolean;
  /** Fixture switch: a chunk size must be lowercase hex (an uppercase A–F is a bad size). */
  chunkSizeLowercaseOnly?: boolean;
  /** Fixture switch: a chunk extension (`;name=value` after the size) makes the size bad. */
  chunkExtensionsRefused?: boolean;
  /** Fixture switch: a Content-Length body ends at the first empty line in it. */
  bodyEndsAtBlankLine?: boolean;
  /** Fixture switch: what a higher minor version (HTTP/1.2 …) gets instead of HTTP/1.1's handling: 400, HTTP/1.0's handling, or HTTP/1.1's with its own version echoed in the status line. */
  minorVersion?: "refused" | "as-1.0" | "echoed";
}

/** RFC 9112 §3.2.2: `http://host:port/path?q` → the authority and the origin-form `/path?q`; undefined for any other form. */
function absoluteForm(target: string): { authority: string; target: string } | undefined {
  const m = /^https?:\/\/([^/?#]*)([^#]*)/i.exec(target);
  if (!m) return undefined;
  const rest = m[2]!;
  return { authority: m[1]!, target: rest.startsWith("/") ? rest : `/${rest}` };
}

/**
 * Where the head starting at `start` ends: `end` where the last header line's
 * terminator begins, `bodyStart` after the empty line; undefined while the
 * empty line has not come. Lines end with CRLF or a bare LF (RFC 9112 §2.2),
 * or only CRLF with the fixture switch.
 */
function headEnd(buf: Buffer, start: number, crlfOnly = false): { end: number; bodyStart: number } | undefined {
  if (crlfOnly) {
    const end = buf.indexOf(END_OF_HEAD, start);
    return end < 0 ? undefined : { end, bodyStart: end + 4 };
  }
  for (let lf = buf.indexOf(10, start); lf >= 0; lf = buf.indexOf(10, lf + 1)) {
    const empty = buf[lf + 1] === 10 ? 1 : buf[lf + 1] === 13 && buf[lf + 2] === 10 ? 2 : 0;
    if (empty) return { end: lf > start && buf[lf - 1] === 13 ? lf - 1 : lf, bodyStart: lf + 1 + empty };
  }
  return undefined;
}

/**
 * Parses the first request in `buf`. Returns it with the number of bytes it
 * used, or "incomplete" when more bytes are needed; throws ParseError.
 */
export function parseRequest(buf: Buffer, opts: ParseOptions = {}): { request: Request; used: number } | "incomplete" {
  // RFC 9112 §2.2: ignore empty lines before a request line.
  let start = 0;
  while (buf[start] === 13 && buf[start + 1] === 10) start += 2;
  while (!opts.noBareLf && buf[start] === 10) start += 1;
  const limit = opts.headLimit ?? MAX_HEAD_BYTES;
  // RFC 9110 §15.5.15: a request line (its CRLF included) longer than we take is a 414, whether or not it has ended.
  const lineEnd = buf.indexOf(10, start);
  if ((lineEnd < 0 ? buf.length : lineEnd + 1) - start > limit && !opts.longTarget431 && !opts.noHeaderLimit) throw new ParseError(414, `request line over ${limit} bytes`);
  const found = headEnd(buf, start, opts.noBareLf);
  if (!found) {
    if (buf.length - start > limit && !opts.noHeaderLimit && !opts.limitOnlyWhenEnded) throw new ParseError(431, `header section over ${limit} bytes`);
    return "incomplete";
  }
  const { end, bodyStart } = found;
  const counted = opts.limitWithoutRequestLine ? end - buf.indexOf(CRLF, start) - 2 : end - start;
  if (counted > limit && !opts.noHeaderLimit) throw new ParseError(431, `header section over ${limit} bytes`);
  const head = parseHead(buf.subarray(start, end).toString("latin1"), opts);
  const te = head.headers.get("transfer-encoding");
  const cl = head.headers.get("content-length");
  let result: BodyResult;
  if (te !== undefined) {
    // RFC 9112 §6.1: chunked must be the final coding; §6.3: Transfer-Encoding overrides Content-Length.
    if (te.toLowerCase() !== "chunked") throw new ParseError(501, `unsupported Transfer-Encoding ${JSON.stringify(te)}`);
    if (cl !== undefined) throw new ParseError(400, "both Transfer-Encoding and Content-Length");
    const sizeLine = opts.chunkSizeLowercaseOnly ? /^[0-9a-f]{1,8}$/ : undefined;
    result = opts.ignoreChunked ? { body: Buffer.alloc(0), used: bodyStart } : chunkedBody(buf, bodyStart, opts.noTrailers, !opts.noChunkedLimit, opts.refuseAtLimit, sizeLine, !opts.chunkExtensionsRefused);
  } else if (cl !== undefined) {
    const length = opts.contentLengthLastWins ? cl.split(",").at(-1)!.trim() : cl;
    result = lengthBody(buf, bodyStart, length, opts.looseContentLength, opts.refuseAtLimit, opts.bodyEndsAtBlankLine, opts.limitAfterBody);
  } else {
    // Fixture switch: a body without a length read until the close (which this parser never sees).
    result = opts.bodyWithoutLength ? "incomplete" : { body: Buffer.alloc(0), used: bodyStart };
  }
  if (result === "incomplete") return "incomplete";
  return { request: { ...head, body: Buffer.from(result.body) }, used: result.used };
}
