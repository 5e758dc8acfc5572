import { baseUrl, curl, expectStatus, header, ncExchange, parseResponseHead } from "../../harness/clients/http.ts";
import { visible } from "../../harness/report/show.ts";
import { stage } from "../../harness/stage/define.ts";

const STATUS_LINE = 'Reply with the status line "HTTP/1.1 200 OK\\r\\n", then header lines (each ending in \\r\\n), then an empty line "\\r\\n" (RFC 9112 §2.1, §4).';
const CONTENT_LENGTH = "Content-Length counts the bytes of the body only: not the status line, not the headers, not the \\r\\n\\r\\n that ends the header section (RFC 9110 §8.6). A response to GET / with an empty body has Content-Length: 0.";

export default stage(import.meta, [
  {
    name: "curl gets 200 OK for GET /",
    async run(t) {
      const server = await t.start();
      const { responses } = await curl(t, [`${baseUrl(server)}/`], { message: "curl could not get a response to GET /.", hint: `Accept connections on the port, read the request, and write a response. ${STATUS_LINE}` });
      expectStatus(responses[0]!, 200, { message: "GET / should answer 200 OK.", hint: STATUS_LINE });
    },
  },
  {
    name: "the response's bytes: status line, CRLF line ends, an empty line, Content-Length matching the body",
    async run(t) {
      const server = await t.start();
      const bytes = await ncExchange(t, server, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
      const firstLine = bytes.slice(0, bytes.indexOf("\n") + 1) || bytes;
      t.expectEqual(visible(firstLine), visible("HTTP/1.1 200 OK\r\n"), { message: "The response should start with the status line HTTP/1.1 200 OK and \\r\\n.", hint: STATUS_LINE });
      const end = bytes.indexOf("\r\n\r\n");
      if (end < 0) t.fail({ message: "The header section never ends: no empty line (\\r\\n\\r\\n) after the header lines.", received: visible(bytes), hint: STATUS_LINE });
      const bareLf = /(^|[^\r])\n/.exec(bytes.slice(0, end + 4));
      if (bareLf) t.fail({ message: "A line of the response's head ends with \\n alone: every line, the header lines included, ends with \\r\\n.", expected: "\\r\\n at the end of every line", received: visible(bytes.slice(0, end + 4)), hint: STATUS_LINE });
      const head = parseResponseHead(bytes.slice(0, end));
      if (typeof head === "string") return t.fail({ message: `The response's head cannot be read: ${head}.`, received: visible(bytes), hint: STATUS_LINE });
      const cl = header({ ...head, body: Buffer.alloc(0), head: "" }, "content-length");
      const body = bytes.slice(end + 4);
      if (cl === undefined) t.fail({ message: "The response has no Content-Length header.", received: visible(bytes.slice(0, end + 4)), hint: `${CONTENT_LENGTH} Without it (or chunked coding) the client can only tell where the body ends when the connection closes.` });
      t.expectEqual(`Content-Length: ${cl}`, `Content-Length: ${Buffer.byteLength(body, "latin1")}`, {
        message: `Content-Length says ${cl} bytes, but the body after the empty line has ${Buffer.byteLength(body, "latin1")}.`,
        hint: CONTENT_LENGTH,
      });
    },
  },
]);
