/** HTTP/1.1 responses (RFC 9112 §4, §6): status line, header fields, body, serialized to bytes. */

const REASONS: Record<number, string> = {
  101: "Switching Protocols",
  200: "OK",
  201: "Created",
  204: "No Content",
  206: "Partial Content",
  304: "Not Modified",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Content Too Large",
  414: "URI Too Long",
  416: "Range Not Satisfiable",
  426: "Upgrade Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
};

export interface Response {
  status: number;
  /** The reason phrase, if not the usual one (a proxied response keeps the upstream's). */
  reason?: string;
  headers: [string, string][];
  body: Uint8Array;
  /** A body produced over time: these pieces, one every intervalMs, sent as they come (chunked to HTTP/1.1 clients). */
  stream?: { pieces: Uint8Array[]; intervalMs: number };
  /** Fixture switch: a 304 sent with its body and Content-Length. */
  bodyOn304?: boolean;
}

export function response(status: number, body: string | Uint8Array = "", headers: [string, string][] = []): Response {
  return { status, headers, body: typeof body === "string" ? Buffer.from(body) : body };
}

export function text(status: number, body: string): Response {
  return response(status, body, [["Content-Type", "text/plain"]]);
}

export interface SerializeOptions {
  /** HEAD: send the header fields of a GET, without the body (RFC 9110 §9.3.2). */
  head?: boolean;
  close?: boolean;
  /** Fixture switch: add this to Content-Length. */
  lengthSkew?: number;
  /** Fixture switch: a stream's total length, sent as Content-Length beside (or instead of) chunked coding. */
  streamLength?: number;
  /** Fixture switch: no Content-Length on a 206 (its end is the close). */
  no206Length?: boolean;
  /** Fixture switch: end the header lines with \n alone (the status line and the empty line keep \r\n). */
  bareLf?: boolean;
  /** For a stream: send it with chunked coding (HTTP/1.1); otherwise it ends when the connection closes (RFC 9112 §6.3, §7.1). */
  chunked?: boolean;
  /** Fixture switch: the status line's version (default HTTP/1.1). */
  statusVersion?: string;
}

/** The bytes of a response: `HTTP/1.1 200 OK\r\n`, fields, an empty line, the body. */
export function serialize(r: Response, o: SerializeOptions = {}): Buffer {
  const parts = serializeParts(r, o);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** `serialize` in two parts: the head (status line, fields, empty line), and the body if one is sent. */
export function serializeParts(r: Response, o: SerializeOptions = {}): Buffer[] {
  const lines = [`${o.statusVersion ?? "HTTP/1.1"} ${r.status} ${r.reason || REASONS[r.status] || "Unknown"}`];
  for (const [name, value] of r.headers) lines.push(`${name}: ${value}`);
  // RFC 9110 §8.6: every response here has a body of known length (even if empty); 304 has none (§15.4.5),
  // and 1xx and 204 carry no Content-Length at all (§8.6).
  if (r.stream) {
    if (o.chunked) lines.push("Transfer-Encoding: chunked");
    if (o.streamLength !== undefined) lines.push(`Content-Length: ${o.streamLength}`);
  } else if (r.status >= 200 && r.status !== 204 && (r.status !== 304 || r.bodyOn304) && !(o.no206Length && r.status === 206) && !r.headers.some(([n]) => n.toLowerCase() === "content-length")) lines.push(`Content-Length: ${r.body.length + (o.lengthSkew ?? 0)}`);
  if (o.close) lines.push("Connection: close");
  const head = Buffer.from(o.bareLf ? `${lines[0]}\r\n${lines.slice(1).join("\n")}\r\n\r\n` : `${lines.join("\r\n")}\r\n\r\n`, "latin1");
  if (o.head || (r.status === 304 && !r.bodyOn304) || r.body.length === 0) return [head];
  return [head, Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength)];
}

/** One piece of a chunked body: its size in hex, CRLF, the data, CRLF; an empty piece is the last chunk (RFC 9112 §7.1). */
export function chunk(data: Uint8Array, decimal = false): Buffer {
  if (data.length === 0) return Buffer.from("0\r\n\r\n");
  return Buffer.concat([Buffer.from(`${data.length.toString(decimal ? 10 : 16)}\r\n`), data, Buffer.from("\r\n")]);
}
