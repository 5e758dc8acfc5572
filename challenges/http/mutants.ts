/**
 * bun challenges/http/mutants.ts [--only=<id>] [--batch=1|2] [--seed=<n>]
 *
 * Hand-written mutants of the reference HTTP server, for the mutation score
 * in challenges/http/README.md ("Promises and checks"). Each is one plausible
 * mistake, written from a reading of a stage's .md other than the one its
 * cases were written from (not one of the fixture switches in
 * solutions/http): a copy of solutions/http with one piece of source text
 * replaced, run against the stage whose .md makes the promise, exactly as a
 * learner's program (`bun test --stage-only=http/<stage> --impl=…`). A mutant
 * that passes its stage survived: either a promise no case checks, or an
 * equivalent mutant (its note says which).
 *
 * Prints one line per mutant (killed / SURVIVED / stale, when its source text
 * is no longer in the reference) and the score. Exit code 0 when it ran,
 * whatever the score; 2 on bad arguments. The runner is harness/mutate/hand.ts,
 * shared with the other challenges' hand-written mutants.
 */
import { handMutantsMain, type HandMutant } from "../../harness/mutate/hand.ts";

export const MUTANTS: HandMutant[] = [
  { batch: 1, id: "reason-ok-lowercase", stage: "1", reading: "any reason phrase will do: `200 Ok`", file: "response.ts", find: '200: "OK",', replace: '200: "Ok",' },
  { batch: 1, id: "echo-text-html", stage: "2", reading: "the echo is a page: text/html", file: "routes.ts", find: 'return text(200, path.slice("/echo/".length));', replace: 'return { ...text(200, path.slice("/echo/".length)), headers: [["Content-Type", "text/html"]] };' },
  { batch: 1, id: "header-values-lowercased", stage: "3", reading: "case-insensitive fields: lowercase the whole line, value too", file: "request.ts", find: "const v = opts.lowercaseValues ? value.toLowerCase() : value;", replace: "const v = value.toLowerCase();" },
  { batch: 1, id: "http10-kept-open", stage: "4", reading: "every connection is persistent, HTTP/1.0 too", file: "server.ts", find: 'return req.version === "HTTP/1.0" && !tokens.includes("keep-alive") && !o.http10KeepsOpen;', replace: "return false;" },
  { batch: 1, id: "chunk-size-decimal", stage: "5", reading: "the chunk size is a number (read as decimal)", file: "request.ts", find: "const size = parseInt(sizeText, 16);", replace: "const size = /^[0-9]+$/.test(sizeText) ? parseInt(sizeText, 10) : parseInt(sizeText, 16);" },
  { batch: 1, id: "content-length-isnan", stage: "6", reading: "Content-Length must be a number: anything Number() accepts", file: "request.ts", find: 'if (loose ? Number.isNaN(Number(value)) || value.trim() === "" : !/^\\d+$/.test(value)) throw', replace: 'if (Number.isNaN(Number(value)) || value.trim() === "") throw' },
  { batch: 1, id: "head-limit-complete-only", stage: "7", reading: "measure the header section once it has ended", file: "request.ts", find: "    if (buf.length - start > limit && !opts.noHeaderLimit) throw new ParseError(431, `header section over ${limit} bytes`);\n", replace: "" },
  { batch: 1, id: "js-x-javascript", stage: "8", reading: ".js is application/x-javascript", file: "static.ts", find: '".js": "text/javascript",', replace: '".js": "application/x-javascript",' },
  { batch: 1, id: "ims-strictly-before", stage: "9", reading: "304 only when the file is older than the date", file: "static.ts", find: ": Math.floor(st.mtimeMs / 1000) * 1000) <= since;", replace: ": Math.floor(st.mtimeMs / 1000) * 1000) < since;" },
  { batch: 1, id: "inm-first-tag-only", stage: "9", reading: "If-None-Match holds one tag", file: "static.ts", find: 'if (inm.split(",").some((tag) => bare(tag) === bare(etag))) return true;', replace: 'if (bare(inm.split(",")[0]!) === bare(etag)) return true;' },
  { batch: 1, id: "content-range-exclusive-end", stage: "10", reading: "Content-Range's last is exclusive, like a slice", file: "static.ts", find: "`bytes ${range.start}-${range.end}/${body.length}`", replace: "`bytes ${range.start}-${range.end + 1}/${body.length}`" },
  { batch: 1, id: "gzip-the-206", stage: "11", reading: "compress whatever the body is, a range too", file: "static.ts", find: "if (range) return response(206, body.subarray(range.start, range.end + 1),", replace: "if (range) return response(206, gzip ? gzipSync(body.subarray(range.start, range.end + 1)) : body.subarray(range.start, range.end + 1),", },
  { batch: 1, id: "gzip-q-ignored", stage: "11", reading: "gzip listed at all means gzip", file: "static.ts", find: 'return (coding === "gzip" || coding === "*") && (q === undefined || Number(q.slice(2)) > 0);', replace: 'return coding === "gzip" || coding === "*";' },
  { batch: 1, id: "chunk-size-decimal-out", stage: "12", reading: "the chunk's size in bytes, as a number", file: "response.ts", find: "Buffer.from(`${data.length.toString(16)}\\r\\n`)", replace: "Buffer.from(`${data.length.toString(10)}\\r\\n`)" },
  { batch: 1, id: "hpack-oldest-at-62", stage: "http2/2", reading: "the dynamic table is appended to: index 62 is the first entry added", file: "h2/hpack.ts", find: "    this.entries.unshift(f);\n    this.size += this.entrySize(f);\n    this.evict();", replace: "    this.entries.push(f);\n    this.size += this.entrySize(f);\n    while (this.size > this.maxSize && this.entries.length > 0) this.size -= this.entrySize(this.entries.shift()!);" },
  { batch: 1, id: "conn-window-not-spent", stage: "http2/4", reading: "flow control is per stream", file: "h2/connection.ts", find: "        this.connSendWindow -= n;\n", replace: "" },
  { batch: 1, id: "goaway-last-stream-zero", stage: "http2/5", reading: "GOAWAY's stream id is the connection's, 0", file: "h2/connection.ts", find: "F.goawayPayload(this.o.goawayLastStreamZero ? 0 : this.lastStream, code, message)", replace: "F.goawayPayload(0, code, message)" },
  { batch: 1, id: "pong-empty", stage: "websocket/3", reading: "a pong is a bare reply", file: "websocket.ts", find: "return this.write(wsFrame(0xa, payload, this.o));", replace: "return this.write(wsFrame(0xa, Buffer.alloc(0), this.o));" },
  { batch: 1, id: "close-no-tcp-close", stage: "websocket/4", reading: "the close frame is enough; the client closes TCP", file: "websocket.ts", find: "    this.write(wsFrame(0x8, body, this.o));\n    this.end();", replace: "    this.write(wsFrame(0x8, body, this.o));" },
  { batch: 1, id: "xff-replaced", stage: "proxy/1", reading: "X-Forwarded-For is the client's address", file: "proxy/proxy.ts", find: 'fields = append(fields, "X-Forwarded-For", client);', replace: 'fields = [...fields.filter(([n]) => n.toLowerCase() !== "x-forwarded-for"), ["X-Forwarded-For", client]];' },
  { batch: 2, id: "files-get-text-plain", stage: "5", reading: "a stored file is text", file: "routes.ts", find: 'return response(200, readFileSync(file), [["Content-Type", "application/octet-stream"]]);', replace: 'return response(200, readFileSync(file), [["Content-Type", "text/plain"]]);' },
  { batch: 2, id: "post-answers-200", stage: "5", reading: "a successful POST is 200 OK", file: "routes.ts", find: 'return text(201, "Created\\n");', replace: 'return text(200, "Created\\n");' },
  { batch: 2, id: "head-limit-without-request-line", stage: "7", reading: "8 KiB of header lines (the request line not counted)", file: "request.ts", find: "const counted = opts.limitWithoutRequestLine ? end - buf.indexOf(CRLF, start) - 2 : end - start;", replace: "const counted = end - buf.indexOf(CRLF, start) - 2;" },
  { batch: 2, id: "png-as-octet-stream", stage: "8", reading: "only text types are in the table", file: "static.ts", find: '".png": "image/png",', replace: "" },
  { batch: 2, id: "etag-unquoted", stage: "9", reading: "an ETag is a token", file: "static.ts", find: 'return `"${Math.floor(st.mtimeMs / 1000).toString(16)}-${st.size.toString(16)}"`;', replace: "return `${Math.floor(st.mtimeMs / 1000).toString(16)}-${st.size.toString(16)}`;" },
  { batch: 2, id: "206-without-content-length", stage: "10", reading: "Content-Range says the length, so no Content-Length", file: "response.ts", find: "r.status >= 200 && r.status !== 204 && r.status !== 304 &&", replace: "r.status >= 200 && r.status !== 204 && r.status !== 206 && r.status !== 304 &&" },
  { batch: 2, id: "vary-accept", stage: "11", reading: "Vary names the negotiation: Accept", file: "static.ts", find: 'headers.push(["Vary", "Accept-Encoding"]);', replace: 'headers.push(["Vary", "Accept"]);' },
  { batch: 2, id: "no-last-chunk", stage: "12", reading: "the stream ends when its last line is sent", file: "server.ts", find: "  if (chunked) send(socket, chunk(new Uint8Array(0)));\n", replace: "" },
  { batch: 2, id: "settings-ack-echoes", stage: "http2/1", reading: "acknowledge SETTINGS by sending them back", file: "h2/connection.ts", find: "this.write(F.frame(F.SETTINGS, F.ACK, 0));", replace: "this.write(F.frame(F.SETTINGS, F.ACK, 0, f.payload));" },
  { batch: 2, id: "window-update-stream-only", stage: "http2/4", reading: "give the window back to the stream that used it", file: "h2/connection.ts", find: "if (f.payload.length > 0 && !this.o.noWindowUpdate) this.write(F.frame(F.WINDOW_UPDATE, 0, 0, F.u32(f.payload.length)));", replace: "" },
  { batch: 2, id: "ws-version-at-least-13", stage: "websocket/1", reading: "version 13 or later", file: "websocket.ts", find: ': req.headers.get("sec-websocket-version") !== "13")', replace: ': !(Number(req.headers.get("sec-websocket-version")) >= 13))' },
  { batch: 2, id: "ws-echo-as-binary", stage: "websocket/2", reading: "echo the bytes back", file: "websocket.ts", find: "this.write(wsFrame(m.opcode, data, this.o));", replace: "this.write(wsFrame(0x2, data, this.o));" },
  { batch: 2, id: "proxy-refused-503", stage: "proxy/3", reading: "an upstream that is down is Service Unavailable", file: "proxy/proxy.ts", find: "return { res: text(502, `Bad Gateway: ${e.message}\\n`), upstream: address };", replace: "return { res: text(503, `Bad Gateway: ${e.message}\\n`), upstream: address };" },
];

if (import.meta.main) await handMutantsMain("http", "main.ts", MUTANTS, Bun.argv.slice(2));
