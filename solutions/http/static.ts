/**
 * Static files under --directory (RFC 9110): content types by extension,
 * validators (ETag, Last-Modified) and conditional requests (304), byte
 * ranges (206, 416), gzip for clients that accept it, and no way out of the
 * directory.
 */
import { gzipSync } from "node:zlib";
import { readFileSync, statSync, type Stats } from "node:fs";
import { extname, join } from "node:path";
import type { Request } from "./request.ts";
import { response, text, type Response } from "./response.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".htm": "text/html",
  ".css": "text/css",
  ".js": "text/javascript",
  ".json": "application/json",
  ".txt": "text/plain",
  ".xml": "text/xml",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".ico": "image/x-icon",
  ".pdf": "application/pdf",
  ".wasm": "application/wasm",
};

/** Types worth compressing: text, and text-like application types. */
function compressible(type: string, o: StaticOptions): boolean {
  if (o.gzipTextOnly) return type.startsWith("text/");
  return type.startsWith("text/") || type === "application/json" || type === "image/svg+xml";
}

export interface StaticOptions {
  directory: string;
  /** Fixture switch: If-None-Match compared with the first tag of its list only. */
  inmFirstOnly?: boolean;
  /** Fixture switch: If-Modified-Since answers 304 only when the file is strictly older than the date (not at it). */
  imsStrictlyBefore?: boolean;
  /** Fixture switch: Content-Range's last byte written one past the end (exclusive, as in a slice). */
  contentRangeExclusiveEnd?: boolean;
  /** Fixture switch: gzip refused only for the exact text `gzip;q=0` (`gzip; q=0`, `gzip;q=0.0` compress). */
  q0ExactSpelling?: boolean;
  /** Fixture switch: join the path to the directory without refusing "..". */
  allowTraversal?: boolean;
  /** Fixture switch: never answer 304. */
  noConditional?: boolean;
  /** Fixture switch: ignore Range. */
  ignoreRange?: boolean;
  /** Fixture switch: when the client accepts gzip, send the whole file compressed even for a Range request. */
  gzipBeforeRange?: boolean;
  /** Fixture switch: If-None-Match compared as one whole string with the ETag (no list, no W/, no *). */
  inmWholeString?: boolean;
  /** Fixture switch: a 304 without ETag and Last-Modified. */
  bare304?: boolean;
  /** Fixture switch: If-Modified-Since checked even when If-None-Match is present. */
  imsDespiteInm?: boolean;
  /** Fixture switch: an unreadable If-Modified-Since counts as "not modified". */
  badDateNotModified?: boolean;
  /** Fixture switch: If-Modified-Since compared with the modification time in milliseconds. */
  imsMilliseconds?: boolean;
  /** Fixture switch: no Accept-Ranges header. */
  noAcceptRanges?: boolean;
  /** Fixture switch: a range starting exactly at the end of the file is answered 206 (empty) instead of 416. */
  rangeAtEndSatisfiable?: boolean;
  /** Fixture switch: compress text/* only. */
  gzipTextOnly?: boolean;
  /** Fixture switch: the gzip response keeps the plain file's ETag. */
  gzipSameEtag?: boolean;
  /** Fixture switch: compress without Vary: Accept-Encoding. */
  noVary?: boolean;
  /** Fixture switch: the ETag without its quotes. */
  etagUnquoted?: boolean;
  /** Fixture switch: the ETag made from the file's path alone (it does not change with the file). */
  etagFromPath?: boolean;
  /** Fixture switch: any If-None-Match gets 304, whatever tags it lists. */
  inmAnyValue304?: boolean;
  /** Fixture switch: a W/ prefix is not ignored when comparing entity tags. */
  inmWeakNotMatched?: boolean;
  /** Fixture switch: If-None-Match: * is not recognised. */
  inmStarNotMatched?: boolean;
  /** Fixture switch: any readable If-Modified-Since gets 304, whatever its date. */
  imsAlways304?: boolean;
  /** Fixture switch: a 304 carries the file as its body, with Content-Length. */
  bodyOn304?: boolean;
  /** Fixture switch: only files directly in the directory are served (no sub-folders). */
  noSubfolders?: boolean;
  /** Fixture switch: `bytes=-n` is read as the first n+1 bytes (`bytes=0-n`), not the last n. */
  suffixFromStart?: boolean;
  /** Fixture switch: a last byte past the end of the file makes the range unsatisfiable (416) instead of being cut to size-1. */
  lastPastEndRefused?: boolean;
  /** Fixture switch: a 416 without Content-Range. */
  no416ContentRange?: boolean;
  /** Fixture switch: gzip bodies without Content-Encoding. */
  gzipWithoutContentEncoding?: boolean;
  /** Fixture switch: gzip;q=0 counts as accepting gzip. */
  gzipDespiteQ0?: boolean;
  /** Fixture switch: text files are always gzipped, whatever Accept-Encoding says. */
  gzipAlways?: boolean;
  /** Fixture switch: a gzip response's Content-Length is the plain file's size. */
  gzipPlainLength?: boolean;
}

/** The file for a decoded URL path, or "forbidden" if the path climbs out of the directory. */
function resolveFile(path: string, o: StaticOptions): string | "forbidden" {
  const segments = path.split("/").filter((s) => s !== "" && s !== ".");
  if (o.noSubfolders && segments.length > 1) return join(o.directory, "\0no-subfolders");
  if (!o.allowTraversal && segments.some((s) => s === ".." || s.includes("\\") || s.includes("\0"))) return "forbidden";
  return join(o.directory, ...segments);
}

/** A strong validator from size and modification time (as nginx makes them). */
function etagOf(st: Stats, file: string, o: StaticOptions): string {
  const tag = o.etagFromPath ? Bun.hash(file).toString(16) : `${Math.floor(st.mtimeMs / 1000).toString(16)}-${st.size.toString(16)}`;
  return o.etagUnquoted ? tag : `"${tag}"`;
}

/** RFC 9110 §13.1.2: If-None-Match with a weak comparison; §13.1.3: If-Modified-Since, second granularity. */
function notModified(req: Request, etag: string, st: Stats, o: StaticOptions): boolean {
  const inm = req.headers.get("if-none-match");
  if (inm !== undefined && o.inmWholeString) {
    if (inm === etag) return true;
  } else if (inm !== undefined) {
    if (o.inmAnyValue304) return true;
    if (inm.trim() === "*" && !o.inmStarNotMatched) return true;
    const bare = (tag: string) => (o.inmWeakNotMatched ? tag.trim() : tag.trim().replace(/^W\//, ""));
    if ((o.inmFirstOnly ? inm.split(",").slice(0, 1) : inm.split(",")).some((tag) => bare(tag) === bare(etag))) return true;
  }
  if (inm !== undefined && !o.imsDespiteInm) return false;
  const ims = req.headers.get("if-modified-since");
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  if (Number.isNaN(since)) return !!o.badDateNotModified;
  if (o.imsAlways304) return true;
  const modified = o.imsMilliseconds ? st.mtimeMs : Math.floor(st.mtimeMs / 1000) * 1000;
  return o.imsStrictlyBefore ? modified < since : modified <= since;
}

type Range = { start: number; end: number } | "unsatisfiable" | undefined;

/** RFC 9110 §14.1.2: one `bytes=first-last`, `bytes=first-` or `bytes=-suffix`; anything else is ignored (whole file). */
function parseRange(value: string, size: number, atEndSatisfiable = false, o: StaticOptions = { directory: "" }): Range {
  const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "" && o.suffixFromStart) return { start: 0, end: Math.min(Number(m[2]), size - 1) };
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== "" && Number(m[2]) < start) return undefined;
  if (o.lastPastEndRefused && m[2] !== "" && Number(m[2]) >= size) return "unsatisfiable";
  if (atEndSatisfiable ? start > size : start >= size) return "unsatisfiable";
  return { start, end };
}

/** Accept-Encoding lists gzip (or *) without q=0. */
function acceptsGzip(req: Request, o: StaticOptions): boolean {
  if (o.gzipAlways) return true;
  const ae = req.headers.get("accept-encoding") ?? "";
  if (o.q0ExactSpelling) return /\bgzip\b/i.test(ae) && !ae.toLowerCase().includes("gzip;q=0");
  return ae.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return (coding === "gzip" || coding === "*") && (q === undefined || Number(q.slice(2)) > 0 || !!o.gzipDespiteQ0);
  });
}

/**
 * Files' contents kept between requests, checked against a fresh stat on every request (size, inode,
 * mtime and ctime, to the nanosecond the kernel gives). Only a file whose ctime is over a second old is
 * kept: any later change (a write, a rename over it, even utimes putting the mtime back) sets ctime to the
 * kernel's clock at that moment, which is then later than the one kept, so a changed file is never
 * served from here. At most CACHE_BYTES in all; when full, the cache starts over.
 */
const fileCache = new Map<string, { st: Stats; body: Buffer }>();
let fileCacheBytes = 0;
const CACHE_BYTES = 64 * 1024 * 1024;
const SETTLED_MS = 1000;

function readFile(file: string, st: Stats): Buffer {
  const hit = fileCache.get(file);
  if (hit && hit.st.size === st.size && hit.st.ino === st.ino && hit.st.mtimeMs === st.mtimeMs && hit.st.ctimeMs === st.ctimeMs) return hit.body;
  const body = readFileSync(file);
  if (body.length === st.size && Date.now() - st.ctimeMs > SETTLED_MS && body.length <= CACHE_BYTES / 4) {
    if (fileCacheBytes + body.length > CACHE_BYTES) {
      fileCache.clear();
      fileCacheBytes = 0;
    }
    fileCacheBytes += body.length - (hit?.body.length ?? 0);
    fileCache.set(file, { st, body });
  }
  return body;
}

/** Serves a file for GET/HEAD of `path`, or undefined when there is no such file. */
export function serveStatic(req: Request, path: string, o: StaticOptions): Response | undefined {
  const file = resolveFile(path, o);
  if (file === "forbidden") return text(403, "Forbidden\n");
  let st: Stats;
  try {
    st = statSync(file);
  } catch {
    return undefined;
  }
  if (!st.isFile()) return undefined;
  const type = TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
  const etag = etagOf(st, file, o);
  const headers: [string, string][] = [
    ["Content-Type", type],
    ["Last-Modified", new Date(Math.floor(st.mtimeMs / 1000) * 1000).toUTCString()],
    ["ETag", etag],
    ...(o.noAcceptRanges ? [] : [["Accept-Ranges", "bytes"] as [string, string]]),
  ];
  if (compressible(type, o) && !o.noVary) headers.push(["Vary", "Accept-Encoding"]);
  if (!o.noConditional && notModified(req, etag, st, o)) return { ...response(304, o.bodyOn304 ? readFile(file, st) : "", o.bare304 ? headers.filter(([n]) => n !== "ETag" && n !== "Last-Modified") : headers), bodyOn304: o.bodyOn304 };
  const body = readFile(file, st);
  const gzip = compressible(type, o) && acceptsGzip(req, o);
  const rangeHeader = req.headers.get("range");
  if (rangeHeader !== undefined && !o.ignoreRange && !(gzip && o.gzipBeforeRange)) {
    const range = parseRange(rangeHeader, body.length, o.rangeAtEndSatisfiable, o);
    if (range === "unsatisfiable") return response(416, "", o.no416ContentRange ? [] : [["Content-Range", `bytes */${body.length}`]]);
    if (range) return response(206, body.subarray(range.start, range.end + 1), [...headers, ["Content-Range", `bytes ${range.start}-${range.end + (o.contentRangeExclusiveEnd ? 1 : 0)}/${body.length}`]]);
  }
  if (gzip) {
    // A different representation: its validator is marked weak (as nginx does).
    const gz = headers.map(([n, v]): [string, string] => (n === "ETag" && !o.gzipSameEtag ? [n, `W/${v}`] : [n, v]));
    const encoding: [string, string][] = o.gzipWithoutContentEncoding ? [] : [["Content-Encoding", "gzip"]];
    const length: [string, string][] = o.gzipPlainLength ? [["Content-Length", String(body.length)]] : [];
    return response(200, gzipSync(body), [...gz, ...encoding, ...length]);
  }
  return response(200, body, headers);
}
