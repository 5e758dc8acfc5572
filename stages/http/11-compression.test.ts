import { gunzipSync } from "node:zlib";
import { exchange, expectBody, expectStatus, header, rawRequest, startWithFiles } from "../../harness/clients/http.ts";
import { stage } from "../../harness/stage/define.ts";

const GZIP = "When the request's Accept-Encoding lists gzip, you may send the file gzip-compressed: the body is the gzip stream, with `Content-Encoding: gzip` (RFC 9110 §8.4) and Content-Length the compressed size.";
const VARY = "A response whose encoding depends on Accept-Encoding must say so with `Vary: Accept-Encoding` (RFC 9110 §12.5.5): otherwise a cache may hand the gzip bytes to a client that cannot read them.";
const RANGE_PLAIN = "A Range request is answered from the plain file even when the client accepts gzip: 206 with those bytes of the file as it is, no Content-Encoding (RFC 9110 §14.2; ranges count bytes of the representation you send, and a client resuming a download needs the plain file's bytes). Decide the range before compressing, and never compress a 206.";
const ETAG_DIFFERS = "The gzip bytes are a different representation from the plain file, so they need a different ETag (RFC 9110 §8.8.3): otherwise a cache could answer a plain request's If-None-Match with the gzip bytes. Marking it weak, W/\"…\", as nginx does, is enough.";
const TYPES_GZIP = "Compress text: text/* and the text-like application/json and image/svg+xml (RFC 9110 §8.4.1).";
const PLAIN = "Compress only when the client asks: without Accept-Encoding: gzip (or with gzip;q=0, RFC 9110 §12.5.3), send the file as it is, without Content-Encoding. A weight is a parameter: spaces may surround the \";\" (`gzip; q=0`) and 0, 0.0 and 0.000 are the same weight (RFC 9110 §12.4.2): parse it, do not look for the text `gzip;q=0`.";

export default stage(import.meta, [
  {
    name: "Accept-Encoding: gzip gets a gzip body with Content-Encoding and Vary",
    async run(t) {
      const name = `${t.rand.word()}.html`;
      const content = `<html><body>\n${Array.from({ length: 60 }, () => `<p>${t.rand.word()} ${t.rand.word()}</p>`).join("\n")}\n</body></html>\n`;
      const { server } = await startWithFiles(t, { [name]: content });
      const r = await exchange(t, server, rawRequest("GET", `/${name}`, [["Accept-Encoding", "gzip, deflate"], ["Connection", "close"]]), { message: `No response to GET /${name} with Accept-Encoding: gzip.`, hint: GZIP });
      expectStatus(r, 200, { message: `GET /${name} should answer 200.`, hint: GZIP });
      t.expectEqual(`Content-Encoding: ${header(r, "Content-Encoding") ?? "(none)"}`, "Content-Encoding: gzip", { message: `GET /${name} (${content.length} bytes of HTML) with Accept-Encoding: gzip should come gzip-compressed.`, hint: GZIP });
      if (!/(^|,)\s*accept-encoding\s*(,|$)/i.test(header(r, "Vary") ?? "")) t.fail({ message: "A gzip response must carry Vary: Accept-Encoding.", expected: "Vary: Accept-Encoding", received: `Vary: ${header(r, "Vary") ?? "(none)"}`, hint: VARY });
      let plain: Buffer;
      try {
        plain = gunzipSync(r.body);
      } catch (e) {
        return t.fail({ message: `The body is not a gzip stream (${(e as Error).message}).`, hint: GZIP });
      }
      expectBody({ ...r, body: plain }, content, { message: "The gzip body, uncompressed, should be the file.", hint: GZIP });
      if (r.body.length >= content.length) t.fail({ message: "The gzip body is not smaller than the file.", expected: `fewer than ${content.length} bytes`, received: `${r.body.length}`, hint: GZIP });
    },
  },
  {
    name: "without Accept-Encoding: gzip, or with gzip;q=0, the file comes as it is",
    async run(t) {
      const name = `${t.rand.word()}.txt`;
      const content = Array.from({ length: 40 }, () => t.rand.word()).join(" ") + "\n";
      const { server } = await startWithFiles(t, { [name]: content });
      // q=0 written three ways on every seed: OWS around ";" and trailing zeros are the same weight (RFC 9110 §12.4.2).
      for (const fields of [[], [["Accept-Encoding", "gzip;q=0, identity"]], [["Accept-Encoding", "identity, gzip; q=0"]], [["Accept-Encoding", "gzip;q=0.000, identity"]]] as [string, string][][]) {
        const what = fields.length === 0 ? "without Accept-Encoding" : `with Accept-Encoding: ${fields[0]![1]}`;
        const r = await exchange(t, server, rawRequest("GET", `/${name}`, [...fields, ["Connection", "close"]]), { message: `No response to GET /${name} ${what}.`, hint: PLAIN });
        t.expectEqual(`Content-Encoding: ${header(r, "Content-Encoding") ?? "(none)"}`, "Content-Encoding: (none)", { message: `GET /${name} ${what} should not be compressed.`, hint: PLAIN });
        expectBody(r, content, { message: `GET /${name} ${what} should return the file as it is.`, hint: PLAIN });
      }
    },
  },
  {
    name: "a Range request that accepts gzip gets 206 of the plain file, not compressed",
    async run(t) {
      const name = `${t.rand.word()}.txt`;
      const content = Array.from({ length: 60 }, () => `${t.rand.word()} ${t.rand.int(0, 999)}`).join("\n") + "\n";
      const { server } = await startWithFiles(t, { [name]: content });
      const first = t.rand.int(0, 20);
      const last = first + t.rand.int(10, 40);
      const range = `bytes=${first}-${last}`;
      const r = await exchange(t, server, rawRequest("GET", `/${name}`, [["Range", range], ["Accept-Encoding", "gzip, deflate"], ["Connection", "close"]]), { message: `No response to GET /${name} with Range: ${range} and Accept-Encoding: gzip.`, hint: RANGE_PLAIN });
      const got = `${r.status}, Content-Encoding: ${header(r, "Content-Encoding") ?? "(none)"}, ${r.body.length} bytes`;
      t.expectEqual(got, `206, Content-Encoding: (none), ${last - first + 1} bytes`, { message: `GET /${name} (${content.length} bytes of text) with Range: ${range} and Accept-Encoding: gzip should get 206 with bytes ${first}-${last} of the plain file.`, hint: RANGE_PLAIN });
      expectBody(r, content.slice(first, last + 1), { message: `The body for Range: ${range} should be bytes ${first} to ${last} of the file, not compressed.`, hint: RANGE_PLAIN });
    },
  },
  {
    name: "JSON and SVG are compressed too, and a gzip response's ETag differs from the plain one's",
    async run(t) {
      const base = t.rand.word();
      const json = JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ id: i, name: t.rand.word(), tags: [t.rand.word(), t.rand.word()] })));
      const svg = `<svg xmlns="http://www.w3.org/2000/svg">\n${Array.from({ length: 30 }, (_, i) => `<rect x="${i}" y="${t.rand.int(0, 99)}" width="10" height="10"/>`).join("\n")}\n</svg>\n`;
      const { server } = await startWithFiles(t, { [`${base}.json`]: json, [`${base}.svg`]: svg });
      for (const [file, content] of [[`${base}.json`, json], [`${base}.svg`, svg]] as const) {
        const r = await exchange(t, server, rawRequest("GET", `/${file}`, [["Accept-Encoding", "gzip"], ["Connection", "close"]]), { message: `No response to GET /${file} with Accept-Encoding: gzip.`, hint: TYPES_GZIP });
        t.expectEqual(`Content-Encoding: ${header(r, "Content-Encoding") ?? "(none)"}`, "Content-Encoding: gzip", { message: `GET /${file} (${content.length} bytes of ${file.endsWith("json") ? "application/json" : "image/svg+xml"}) with Accept-Encoding: gzip should come gzip-compressed.`, hint: TYPES_GZIP });
        const plain = await exchange(t, server, rawRequest("GET", `/${file}`, [["Connection", "close"]]), { message: `No response to GET /${file}.`, hint: ETAG_DIFFERS });
        const [gz, id] = [header(r, "ETag"), header(plain, "ETag")];
        if (gz === undefined || gz === id) t.fail({ message: `The gzip response for /${file} has the same ETag as the plain file.`, expected: `an ETag other than ${id ?? "(none)"}, e.g. W/${id ?? '"…"'}`, received: `ETag: ${gz ?? "(none)"}`, hint: ETAG_DIFFERS });
      }
    },
  },
]);
