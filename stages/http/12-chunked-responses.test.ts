import { baseUrl, curl, expectBody, expectHeader, expectStatus, header, HttpConnection, parseResponseHead, rawRequest } from "../../harness/clients/http.ts";
import { visible } from "../../harness/report/show.ts";
import { stage } from "../../harness/stage/define.ts";

const CHUNKED = "/stream/<n> does not know its length when it starts: send `Transfer-Encoding: chunked` instead of Content-Length, then each line as a chunk as soon as it is made — its size in hex, \\r\\n, the bytes, \\r\\n — and a last chunk `0\\r\\n\\r\\n` (RFC 9112 §7.1).";
const STREAM = "Send each line when it is made, 100 ms apart: do not build the whole body first. That is what chunked coding is for — the client can use the first line long before the last.";
const RANGE = "/stream/<n> takes n from 1 to 100; any other n (0, 101, not a number) is 404 Not Found.";
const NO_LENGTH = "A chunked response has no Content-Length (RFC 9112 §6.1: a sender MUST NOT send Content-Length with Transfer-Encoding); the chunks say where the body ends.";
const HTTP10 = "An HTTP/1.0 client does not understand chunked coding (RFC 9112 §7.1: never send it to HTTP/1.0): send the lines without Transfer-Encoding or Content-Length, and close the connection to end the body (RFC 9112 §6.3).";

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1} of ${n}\n`).join("");

export default stage(import.meta, [
  {
    name: "curl gets the lines of /stream/<n>, sent with Transfer-Encoding: chunked",
    async run(t) {
      const server = await t.start();
      const n = t.rand.int(2, 5);
      const { responses } = await curl(t, [`${baseUrl(server)}/stream/${n}`], { message: `curl could not GET /stream/${n}.`, hint: CHUNKED });
      const r = responses[0]!;
      expectStatus(r, 200, { message: `GET /stream/${n} should answer 200.`, hint: CHUNKED });
      expectHeader(r, "Transfer-Encoding", "chunked", { message: `GET /stream/${n} should be sent with chunked coding.`, hint: CHUNKED });
      if (header(r, "Content-Length") !== undefined) t.fail({ message: `GET /stream/${n} is chunked and also has Content-Length.`, expected: "(no Content-Length)", received: `Content-Length: ${header(r, "Content-Length")}`, hint: NO_LENGTH });
      expectBody(r, lines(n), { message: `The body of /stream/${n}, as curl decodes it, should be ${n} lines "line i of ${n}".`, hint: CHUNKED });
    },
  },
  {
    name: "the chunks are framed right and come as they are made, not all at once",
    async run(t) {
      const server = await t.start();
      const n = t.rand.int(4, 6);
      const conn = await HttpConnection.open(t, server);
      await conn.send(rawRequest("GET", `/stream/${n}`));
      const tcp = conn.tcp;
      const headEnd = (buf: Buffer) => buf.indexOf("\r\n\r\n");
      if (!(await tcp.waitFor((b) => headEnd(b) >= 0, 3000))) t.fail({ message: `No response head to GET /stream/${n} within 3 s.`, hint: STREAM });
      const head = parseResponseHead(tcp.pending.subarray(0, headEnd(tcp.pending)).toString("latin1"));
      if (typeof head === "string") return t.fail({ message: `The response's head cannot be read: ${head}.`, hint: CHUNKED });
      const te = header({ ...head, body: Buffer.alloc(0), head: "" }, "Transfer-Encoding");
      t.expectEqual(`Transfer-Encoding: ${te ?? "(none)"}`, "Transfer-Encoding: chunked", { message: `GET /stream/${n} should be sent with chunked coding.`, hint: CHUNKED });
      tcp.take(headEnd(tcp.pending) + 4);
      const start = Date.now();
      const want = lines(n).split(/(?<=\n)/);
      const arrivals: number[] = [];
      for (const [i, line] of want.entries()) {
        // One chunk: size in hex (either case), optional ;extensions, CRLF, the data, CRLF.
        const chunkLength = (b: Buffer) => {
          const m = /^([0-9a-fA-F]+)(;[^\r\n]*)?\r\n/.exec(b.toString("latin1", 0, Math.min(b.length, 40)));
          return m ? m[0].length + parseInt(m[1]!, 16) + 2 : undefined;
        };
        const complete = await tcp.waitFor((b) => {
          const len = chunkLength(b);
          return len !== undefined ? b.length >= len : b.length >= 40;
        }, 2000);
        arrivals.push(Date.now() - start);
        const len = chunkLength(tcp.pending);
        const got = tcp.take(Math.min(len ?? tcp.pending.length, tcp.pending.length)).toString("latin1");
        const data = got.replace(/^[^\r\n]*\r\n/, "").slice(0, -2);
        if (!complete || len === undefined || data !== line || !got.endsWith("\r\n")) t.fail({ message: `Chunk ${i + 1} of ${n} is not the line "${visible(line)}" framed as a chunk.`, expected: visible(`${line.length.toString(16)}\r\n${line}\r\n`), received: visible(got) || "(nothing within 2 s)", hint: CHUNKED });
      }
      const end = await tcp.waitFor((b) => b.includes("0\r\n\r\n"), 2000);
      const last = tcp.take(tcp.pending.length).toString("latin1");
      if (!end || last !== "0\r\n\r\n") t.fail({ message: "After the last line, the body should end with the last chunk 0\\r\\n\\r\\n.", expected: "0\\r\\n\\r\\n", received: visible(last) || "(nothing within 2 s)", hint: CHUNKED });
      const spread = arrivals[arrivals.length - 1]! - arrivals[0]!;
      t.log.note(`chunks arrived at ${arrivals.join(", ")} ms`);
      if (spread < (n - 1) * 50) t.fail({ message: `The ${n} chunks came all at once (within ${spread} ms), not one every 100 ms.`, expected: `about ${(n - 1) * 100} ms from the first chunk to the last`, received: `${spread} ms`, hint: STREAM });
    },
  },
  {
    name: "the next request on the connection is answered after the stream",
    async run(t) {
      const server = await t.start();
      const word = t.rand.word();
      const conn = await HttpConnection.open(t, server);
      await conn.send(rawRequest("GET", "/stream/2") + rawRequest("GET", `/echo/${word}`));
      const r = await conn.response({ message: "No whole response to GET /stream/2.", hint: CHUNKED });
      expectBody(r, lines(2), { message: "Wrong body for GET /stream/2.", hint: CHUNKED });
      const next = await conn.response({ message: `No response to GET /echo/${word}, pipelined after GET /stream/2.`, hint: "Responses go out in request order: the next one waits until the stream's last chunk is sent." });
      expectBody(next, word, { message: `Wrong response to GET /echo/${word} after the stream.`, hint: "Responses go out in request order: the next one waits until the stream's last chunk is sent." });
    },
  },
  {
    name: "an HTTP/1.0 request gets the lines without chunked coding, ended by the close",
    async run(t) {
      const server = await t.start();
      const conn = await HttpConnection.open(t, server);
      await conn.send("GET /stream/3 HTTP/1.0\r\n\r\n");
      if (!(await conn.waitClosed(3000))) t.fail({ message: "The connection was still open 3 s after an HTTP/1.0 GET /stream/3 (0.3 s of lines).", hint: HTTP10 });
      const r = await conn.response({ message: "No response to an HTTP/1.0 GET /stream/3.", hint: HTTP10 });
      if (header(r, "Transfer-Encoding") !== undefined) t.fail({ message: "An HTTP/1.0 client got Transfer-Encoding.", expected: "(no Transfer-Encoding)", received: `Transfer-Encoding: ${header(r, "Transfer-Encoding")}`, hint: HTTP10 });
      if (header(r, "Content-Length") !== undefined) t.fail({ message: "An HTTP/1.0 client got Content-Length for /stream/3: the lines should go out as they are made, ended by the close.", expected: "(no Content-Length)", received: `Content-Length: ${header(r, "Content-Length")}`, hint: HTTP10 });
      expectBody(r, lines(3), { message: "Wrong body for an HTTP/1.0 GET /stream/3.", hint: HTTP10 });
    },
  },
  {
    name: "/stream/0 and /stream/101 get 404, /stream/100 is served",
    async run(t) {
      const server = await t.start();
      for (const n of ["0", "101"]) {
        const { responses } = await curl(t, [`${baseUrl(server)}/stream/${n}`], { message: `curl could not GET /stream/${n}.`, hint: RANGE });
        expectStatus(responses[0]!, 404, { message: `GET /stream/${n} (n must be 1 to 100) should answer 404.`, hint: RANGE });
      }
      // The upper bound itself: only the head and the first line are awaited (the whole stream takes 10 s).
      const conn = await HttpConnection.open(t, server);
      await conn.send(rawRequest("GET", "/stream/100"));
      const tcp = conn.tcp;
      const got = await tcp.waitFor((b) => b.includes("line 1 of 100\n") || (b.indexOf("\r\n\r\n") >= 0 && !b.subarray(0, 12).toString("latin1").startsWith("HTTP/1.1 200")), 3000);
      const status = tcp.pending.toString("latin1").split("\r\n")[0] || "(nothing within 3 s)";
      if (!got || !status.startsWith("HTTP/1.1 200")) t.fail({ message: "GET /stream/100 (n runs from 1 to 100, both included) should answer 200 and start sending its 100 lines.", expected: "HTTP/1.1 200 OK, then the chunk line 1 of 100", received: status, hint: RANGE });
      conn.close();
    },
  },
]);
