/** The server's routes: /, /echo/<text>, /user-agent, /stream/<n>, /files/<name>, then static files; anything else is 404. */
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Request } from "./request.ts";
import { response, text, type Response } from "./response.ts";
import { serveStatic, type StaticOptions } from "./static.ts";

export interface RouteOptions extends StaticOptions {
  /** The --directory: where /files/ reads and writes, and static files are served from. */
  directory: string;
  /** Fixture switch: look header names up with their exact case. */
  caseSensitiveHeaders?: boolean;
  /** Fixture switch: /stream/<n> takes n from 1 to 99 (100 gets 404). */
  streamMax99?: boolean;
  /** Fixture switch: the path decoded like a form (`+` read as a space), not only percent-decoded. */
  plusAsSpace?: boolean;
  /** Fixture switch: POST /files/<name> appends to an existing file instead of replacing it. */
  filesAppended?: boolean;
  /** Fixture switch: answer 200 for paths with no route. */
  okForUnknownPaths?: boolean;
  /** Fixture switch: look files up by the path as sent, without percent-decoding. */
  noPercentDecode?: boolean;
  /** Fixture switch: look for ".." in the path before percent-decoding it, not after. */
  dotsCheckedBeforeDecoding?: boolean;
  /** Fixture switch: /stream/<n> takes any n of up to three digits. */
  streamAnyCount?: boolean;
  /** Fixture switch: route by the whole request target, the query included. */
  queryInPath?: boolean;
  /** Fixture switch: build a stream's whole body first and send it with Content-Length. */
  bufferStreams?: boolean;
  /** Fixture switch: /echo routes any path that starts with "/echo" (so /echo alone, or /echoes, gets 200). */
  echoWithoutSlash?: boolean;
  /** Fixture switch: /echo/<text> answers with the text and the slash before it ("/abc"). */
  echoWithSlash?: boolean;
  /** Fixture switch: /user-agent answers without a Content-Type. */
  userAgentUntyped?: boolean;
  /** Fixture switch: a saved file answers 200 OK, not 201 Created. */
  createdAs200?: boolean;
  /** Fixture switch: /files/ serves files as text/plain. */
  filesAsTextPlain?: boolean;
  /** Fixture switch: GET /files/<name> of a missing file answers 200 with an empty body. */
  missingFileEmpty200?: boolean;
  /** Fixture switch: a POSTed body is saved as text (decoded and encoded as UTF-8), not as its bytes. */
  bodyAsText?: boolean;
}

/** The interval between the lines of /stream/<n>. */
export const STREAM_INTERVAL_MS = 100;

/** /stream/<n>: n lines (1 to 100), one every 100 ms, sent as they are made. */
function stream(count: string, o: RouteOptions): Response {
  if (!/^\d{1,3}$/.test(count) || ((Number(count) < 1 || Number(count) > (o.streamMax99 ? 99 : 100)) && !o.streamAnyCount)) return text(404, "Not Found\n");
  const lines = Array.from({ length: Number(count) }, (_, i) => Buffer.from(`line ${i + 1} of ${count}\n`));
  if (o.bufferStreams) return text(200, Buffer.concat(lines).toString());
  return { ...text(200, ""), stream: { pieces: lines, intervalMs: STREAM_INTERVAL_MS } };
}

/** The path of a request target, without the query, percent-decoded; undefined if the escapes are bad. */
function targetPath(target: string, o: RouteOptions): string | undefined {
  const path = o.queryInPath ? target : target.split("?")[0]!;
  if (o.noPercentDecode) return path;
  try {
    return decodeURIComponent(o.plusAsSpace ? path.replace(/\+/g, " ") : path);
  } catch {
    return undefined;
  }
}

function header(req: Request, name: string, o: RouteOptions): string | undefined {
  if (o.caseSensitiveHeaders) return req.rawHeaders.find(([n]) => n === name)?.[1];
  return req.headers.get(name.toLowerCase());
}

/** A file name under /files/: one path segment, not "." or "..". */
function safeName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !name.includes("/") && !name.includes("\0");
}

function files(req: Request, name: string, o: RouteOptions): Response {
  if (!safeName(name)) return text(404, "Not Found\n");
  const file = join(o.directory, name);
  // POST (stage 5) or PUT (RFC 9110 §9.3.4, what nginx's WebDAV module takes; the http2 stages upload with it).
  if (req.method === "POST" || req.method === "PUT") {
    mkdirSync(o.directory, { recursive: true });
    (o.filesAppended ? appendFileSync : writeFileSync)(file, o.bodyAsText ? Buffer.from(req.body.toString("utf8")) : req.body);
    return text(o.createdAs200 ? 200 : 201, "Created\n");
  }
  if (req.method !== "GET" && req.method !== "HEAD") return response(405, "", [["Allow", "GET, HEAD, POST, PUT"]]);
  if (!existsSync(file) || !statSync(file).isFile()) return o.missingFileEmpty200 ? response(200) : text(404, "Not Found\n");
  return response(200, readFileSync(file), [["Content-Type", o.filesAsTextPlain ? "text/plain" : "application/octet-stream"]]);
}

export function route(req: Request, o: RouteOptions): Response {
  const path = targetPath(req.target, o);
  if (path === undefined) return text(400, "Bad Request\n");
  if (path.startsWith("/files/")) return files(req, path.slice("/files/".length), o);
  if (req.method !== "GET" && req.method !== "HEAD") return response(405, "", [["Allow", "GET, HEAD"]]);
  if (path === "/") return response(200);
  if (path.startsWith("/echo/")) return text(200, path.slice(o.echoWithSlash ? "/echo".length : "/echo/".length));
  if (o.echoWithoutSlash && path.startsWith("/echo")) return text(200, path.slice("/echo".length));
  if (path.startsWith("/stream/")) return stream(path.slice("/stream/".length), o);
  if (path === "/user-agent") return o.userAgentUntyped ? response(200, header(req, "User-Agent", o) ?? "") : text(200, header(req, "User-Agent", o) ?? "");
  // Fixture switch: ".." looked for in the path as sent, then the decoded path joined as it is.
  const rawSegments = req.target.split("?")[0]!.split("/");
  const file = o.dotsCheckedBeforeDecoding ? (rawSegments.includes("..") ? text(403, "Forbidden\n") : serveStatic(req, path, { ...o, allowTraversal: true })) : serveStatic(req, path, o);
  if (file) return file;
  if (o.okForUnknownPaths) return response(200);
  return text(404, "Not Found\n");
}
