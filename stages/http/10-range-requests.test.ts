import { exchange, expectBody, expectHeader, expectStatus, rawRequest, startWithFiles } from "../../harness/clients/http.ts";
import { stage } from "../../harness/stage/define.ts";

const RANGE = "A request with `Range: bytes=first-last` asks for part of the file (RFC 9110 §14.2): answer 206 Partial Content with those bytes only and `Content-Range: bytes first-last/size` (§14.4). `bytes=first-` runs to the end; `bytes=-n` is the last n bytes; last is capped at size-1.";
const ACCEPT_RANGES = "Send `Accept-Ranges: bytes` with files (RFC 9110 §14.3), so clients know they may ask for ranges.";
const UNSATISFIABLE = "A range that starts at or after the end of the file cannot be satisfied: answer 416 Range Not Satisfiable with `Content-Range: bytes */size` (RFC 9110 §15.5.17).";

export default stage(import.meta, [
  {
    name: "byte ranges get 206 with Content-Range and those bytes",
    async run(t) {
      const name = `${t.rand.word()}.txt`;
      const content = Array.from({ length: t.rand.int(10, 20) }, () => `${t.rand.word()}-${t.rand.int(0, 9999)}`).join(" ") + "\n";
      const size = content.length;
      const { server } = await startWithFiles(t, { [name]: content });
      const a = t.rand.int(0, 9);
      const b = t.rand.int(a + 5, size - 10);
      const n = t.rand.int(3, 9);
      const cases: [string, number, number][] = [
        [`bytes=${a}-${b}`, a, b],
        [`bytes=${b}-`, b, size - 1],
        [`bytes=-${n}`, size - n, size - 1],
        [`bytes=${a}-${size + 100}`, a, size - 1],
      ];
      const whole = await exchange(t, server, rawRequest("GET", `/${name}`, [["Connection", "close"]]), { message: `No response to GET /${name}.`, hint: ACCEPT_RANGES });
      expectHeader(whole, "Accept-Ranges", "bytes", { message: `GET /${name} (no Range) should say Accept-Ranges: bytes.`, hint: ACCEPT_RANGES });
      for (const [range, first, last] of cases) {
        const r = await exchange(t, server, rawRequest("GET", `/${name}`, [["Range", range], ["Connection", "close"]]), { message: `No response to GET /${name} with Range: ${range}.`, hint: RANGE });
        expectStatus(r, 206, { message: `GET /${name} with Range: ${range} should answer 206 Partial Content.`, hint: RANGE });
        expectHeader(r, "Content-Range", `bytes ${first}-${last}/${size}`, { message: `Wrong Content-Range for Range: ${range} of a ${size}-byte file.`, hint: RANGE });
        expectBody(r, content.slice(first, last + 1), { message: `The body for Range: ${range} should be bytes ${first} to ${last} of the file.`, hint: RANGE });
        expectHeader(r, "Content-Length", String(last - first + 1), { message: `A 206 for Range: ${range} should say its length: Content-Length ${last - first + 1}, the bytes sent (stage 1: always send Content-Length).`, hint: RANGE });
      }
    },
  },
  {
    name: "a range starting at or past the end gets 416 with Content-Range: bytes */size",
    async run(t) {
      const name = `${t.rand.word()}.txt`;
      const content = `${t.rand.word()} ${t.rand.word()} ${t.rand.int(0, 1e6)}\n`;
      const { server } = await startWithFiles(t, { [name]: content });
      // The first byte exactly at the end (the boundary), and past it, every run.
      for (const first of [content.length, content.length + t.rand.int(1, 50)]) {
        const range = `bytes=${first}-`;
        const r = await exchange(t, server, rawRequest("GET", `/${name}`, [["Range", range], ["Connection", "close"]]), { message: `No response to GET /${name} with Range: ${range}.`, hint: UNSATISFIABLE });
        expectStatus(r, 416, { message: `GET /${name} (${content.length} bytes, the last at offset ${content.length - 1}) with Range: ${range} should answer 416.`, hint: UNSATISFIABLE });
        expectHeader(r, "Content-Range", `bytes */${content.length}`, { message: "A 416 response says the file's size in Content-Range.", hint: UNSATISFIABLE });
      }
    },
  },
]);
