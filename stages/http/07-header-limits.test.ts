import { HttpConnection, rawRequest } from "../../harness/clients/http.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const LIMIT = "Bound the header section: while you have not yet seen the empty line that ends it, stop once you hold more than your limit (8 KiB here) and answer 431 Request Header Fields Too Large (RFC 6585 §5), then close the connection. Otherwise one client can make your server buffer without end.";
const UNDER = "A header section under the limit (8 KiB of request line and header lines) is a normal request: read until its empty line, even if that takes several reads.";

/** `n` header lines `X-Pad-i: <filler>` of about `bytes` in all. */
function padding(t: CaseContext, bytes: number): [string, string][] {
  const line = 100;
  return Array.from({ length: Math.ceil(bytes / line) }, (_, i) => [`X-Pad-${i}`, t.rand.word().padEnd(line - 12, "x")]);
}

/** A GET of `path` whose request line and header lines (without the final empty line) are exactly `head` bytes. */
function sized(t: CaseContext, head: number, path: string): string {
  const fields: [string, string][] = [];
  const base = () => rawRequest("GET", path, fields).length - 4;
  while (head - base() > 120) fields.push([`X-Pad-${fields.length}`, t.rand.word().padEnd(88, "x")]);
  const rest = head - base() - 2 - "X-Last: ".length;
  fields.push(["X-Last", "y".repeat(Math.max(1, rest))]);
  return rawRequest("GET", path, fields);
}

export default stage(import.meta, [
  {
    name: "a header section of about 6 KiB is answered normally",
    async run(t) {
      const server = await t.start();
      const word = t.rand.word();
      const conn = await HttpConnection.open(t, server);
      const request = rawRequest("GET", `/echo/${word}`, padding(t, 6000));
      t.log.note(`a request of ${request.length} bytes: 60 header lines of 100 bytes`);
      await conn.send(request);
      const r = await conn.response({ message: `No response to a request with ${request.length} bytes of header section (under the 8 KiB limit).`, hint: UNDER });
      t.expectEqual(`status ${r.status}, body ${r.body.toString()}`, `status 200, body ${word}`, { message: "A request with a 6 KiB header section should be answered normally.", hint: UNDER });
    },
  },
  {
    name: "a header section just under 8 KiB, in two reads, is answered normally",
    async run(t) {
      const server = await t.start();
      const word = t.rand.word();
      const conn = await HttpConnection.open(t, server);
      // Just under the limit, every run, whether or not the final \r\n\r\n is counted.
      const request = sized(t, 8192 - 4 - t.rand.int(0, 20), `/echo/${word}`);
      t.log.note(`${request.length - 4} bytes of request line and header lines, sent in two writes`);
      await conn.send([request.slice(0, 5000), request.slice(5000)]);
      const r = await conn.response({ message: `No response to a request with ${request.length - 4} bytes of request line and headers (within the 8 KiB limit).`, hint: UNDER });
      t.expectEqual(`status ${r.status}, body ${r.body.toString()}`, `status 200, body ${word}`, { message: `A request with ${request.length - 4} bytes of request line and header lines (8 KiB is 8192) should be answered normally.`, hint: UNDER });
    },
  },
  {
    name: "a header section over 8 KiB gets 431, whether or not it ends",
    async run(t) {
      const server = await t.start();
      for (const ends of [true, false]) {
        const conn = await HttpConnection.open(t, server, ends ? "client" : "client that never ends its headers");
        // Just past the limit, every run (by less than the request line's length: a limit that leaves the request line out lets it through).
        const full = sized(t, 8192 + t.rand.int(1, 20), `/echo/${t.rand.word()}`);
        const request = ends ? full : full.slice(0, -4);
        t.log.note(`${request.length} bytes of request line and headers${ends ? "" : ", without the empty line that would end them"}`);
        await conn.send(request);
        const r = await conn.response({ message: `No response to ${request.length} bytes of header section${ends ? "" : " that never ends"}: expected 431.`, hint: LIMIT }, { timeoutMs: 2000 });
        t.expectEqual(`status ${r.status}`, "status 431", { message: `Wrong status for a header section of ${request.length} bytes (over the 8 KiB limit).`, hint: LIMIT });
        if (!(await conn.waitClosed(2000))) t.fail({ message: "After answering 431, the server did not close the connection within 2 s.", expected: "the connection closed", received: "still open", hint: LIMIT });
        conn.close();
      }
    },
  },
]);
