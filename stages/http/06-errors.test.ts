import { HttpConnection, rawRequest } from "../../harness/clients/http.ts";
import { visible } from "../../harness/report/show.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import type { Program } from "../../harness/stage/program.ts";
import { stage } from "../../harness/stage/define.ts";

const REQUEST_LINE = "A request line is exactly `method SP request-target SP HTTP-version\\r\\n` (RFC 9112 §3): a method made of token characters, one space, a target without spaces, one space, and HTTP/<digit>.<digit>. Anything else is answered 400 Bad Request, and the connection closed (a well-formed version with another major, HTTP/2.0, gets 505; HTTP/1.2 and other higher minors of HTTP/1 are served as HTTP/1.1).";
const FIELDS = "A header line is `name: value` where the name is a token with no whitespace before the colon (RFC 9112 §5.1: answer 400), an HTTP/1.1 request carries exactly one Host header (§3.2: answer 400 otherwise), and Content-Length is one decimal number (§6.3: answer 400 otherwise).";
const CTL = "RFC 9110 §5.5: a recipient of a NUL, CR or LF within a field value MUST either reject the message (400) or replace each of those characters with a space; a bare CR is invalid too (RFC 9112 §2.2). Never pass them on as part of the value.";
const BARE_LF = "RFC 9112 §2.2: a recipient MAY take a bare LF (\\n without \\r) as the end of a line. Either do so (split lines on \\n and drop a \\r before it; an empty line ends the header section whether it is \\r\\n or \\n) or answer 400, but never wait for a \\r\\n\\r\\n that will not come.";
const VERSION = "RFC 9110 §15.6.6: a well-formed HTTP-version whose major version you do not support (HTTP/2.0 sent in an HTTP/1 request line, HTTP/3.0 …) is answered 505 HTTP Version Not Supported, not 400: check the form `HTTP/<digit>.<digit>` first, then the major version.";
const MINOR = "RFC 9110 §2.5 and RFC 9112 §2.3: a request with a higher minor version of a major version you speak (HTTP/1.2, HTTP/1.9) is answered as the highest minor version you support, here HTTP/1.1: served like an HTTP/1.1 request (the connection kept open), with `HTTP/1.1` in your status line. Only another major version gets 505; only a version that is not `HTTP/<digit>.<digit>` gets 400.";
const URI_TOO_LONG = "RFC 9110 §15.5.15: a request target longer than you are willing to read is answered 414 URI Too Long (431 is for header fields). Here a request line of more than 8 KiB (8192 bytes, its CRLF included) gets 414 — as soon as you hold more than that without its end — and the connection is closed: the rest of the line was never read.";
const AND_CLOSE = "After a request you cannot parse (400), close the connection once the error response is sent (RFC 9112 §9.6): you cannot tell where the next request would start.";
const CHUNKED_TOO_LARGE = "A chunked body has no length up front: count its bytes as the chunks come, and once the total passes your limit (1 MiB here), stop reading, answer 413 Content Too Large and close the connection (RFC 9110 §15.5.14).";
const AT_LIMIT = "The limit is 1 MiB inclusive: a body of 1,048,576 bytes is taken; only more than that gets 413 (compare with >, not >=).";
const TOO_LARGE = "Check Content-Length before reading the body: when it is over your limit (1 MiB here), answer 413 Content Too Large at once (RFC 9110 §15.5.14) and close the connection, without waiting for bytes the client may never send.";

/** Sends `request` on a fresh connection and expects a response with `status`. */
async function expectRejected(t: CaseContext, server: Program, request: string, status: number, what: string, hint: string): Promise<void> {
  const conn = await HttpConnection.open(t, server, "client");
  await conn.send(request);
  const r = await conn.response({ message: `No response to ${what}: expected ${status}.`, hint }, { timeoutMs: 2000 });
  t.expectEqual(`status ${r.status}`, `status ${status}`, { message: `Wrong status for ${what} (${visible(request.slice(0, 60))}…).`, hint });
  if ((status === 400 || status === 414) && !(await conn.waitClosed(2000))) t.fail({ message: `After answering ${status} to ${what}, the server did not close the connection within 2 s.`, expected: "the connection closed", received: "still open", hint: status === 414 ? hint : AND_CLOSE });
  conn.close();
}

/** Sends a large request in 16 KiB writes, stopping once the server has answered or closed (a server that refuses early may stop reading). */
async function sendUntilAnswered(conn: HttpConnection, bytes: Buffer): Promise<void> {
  for (let at = 0; at < bytes.length && conn.tcp.pending.length === 0 && !conn.closed; at += 16384) await conn.send(bytes.subarray(at, at + 16384), 0).catch(() => {});
}

/** Sends `request` on a fresh connection and expects, within 2 s, either 400 or 200 with `body` (both allowed by the RFC). */
async function expectAcceptedOr400(t: CaseContext, server: Program, request: string, body: string, what: string, accepted: string, hint: string): Promise<void> {
  const conn = await HttpConnection.open(t, server, "client");
  await conn.send(request);
  const r = await conn.response({ message: `No response within 2 s to ${what} (${visible(request)}): expected 400, or 200 with ${accepted}.`, hint }, { timeoutMs: 2000 });
  const got = `status ${r.status}${r.status === 200 ? `, body ${visible(r.body)}` : ""}`;
  if (r.status !== 400) t.expectEqual(got, `status 200, body ${visible(body)}`, { message: `Wrong response to ${what}: refuse it (400), or answer 200 with ${accepted}.`, hint });
  conn.close();
}

async function expectStillServing(t: CaseContext, server: Program): Promise<void> {
  const conn = await HttpConnection.open(t, server, "next client");
  const word = t.rand.word();
  await conn.send(rawRequest("GET", `/echo/${word}`, [["Connection", "close"]]));
  const r = await conn.response({ message: "After the bad requests, a good one got no response.", hint: "A bad request ends its own connection, not the server: catch parse errors per connection." });
  t.expectEqual(r.body.toString(), word, { message: "After the bad requests, GET /echo/<word> should still work.", hint: "A bad request ends its own connection, not the server." });
}

export default stage(import.meta, [
  {
    name: "malformed request lines get 400 Bad Request",
    async run(t) {
      const server = await t.start();
      const word = t.rand.word();
      const bad: [string, string][] = [
        [`${word.toUpperCase()}\r\n\r\n`, "a request line with one word"],
        [`GET /echo/${word} HTTP/1.1 extra\r\nHost: 127.0.0.1\r\n\r\n`, "a request line with four words"],
        [`GET /echo/${word} FOO/1.1\r\nHost: 127.0.0.1\r\n\r\n`, "a request line whose version is not HTTP/1.x"],
        [`G@T /echo/${word} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, "a method with a character that is not a token character (@)"],
        [`GET /echo/${word} http/1.1\r\nHost: 127.0.0.1\r\n\r\n`, "a version in lowercase (http/1.1; the name HTTP is case-sensitive, RFC 9112 §2.3)"],
      ];
      for (const [request, what] of bad) await expectRejected(t, server, request, 400, what, REQUEST_LINE);
      await expectStillServing(t, server);
    },
  },
  {
    name: "malformed header fields and a missing Host get 400 Bad Request",
    async run(t) {
      const server = await t.start();
      const word = t.rand.word();
      const bad: [string, string][] = [
        [`GET /echo/${word} HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n`, "a header name followed by a space before the colon"],
        [`GET /echo/${word} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-${word} : 1\r\n\r\n`, "another header name with a space before the colon"],
        [`GET /echo/${word} HTTP/1.1\r\nUser-Agent: ${word}\r\n\r\n`, "an HTTP/1.1 request without a Host header"],
        [`GET /echo/${word} HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: ${word}.example\r\n\r\n`, "an HTTP/1.1 request with two Host headers"],
        [`POST /files/${word} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${word}\r\n\r\n`, "a Content-Length that is not a number"],
        [`POST /files/${word} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: +3\r\n\r\nabc`, "a Content-Length with a sign (+3): only digits make a decimal number"],
        [`POST /files/${word} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`, "two different Content-Length headers"],
      ];
      for (const [request, what] of bad) await expectRejected(t, server, request, 400, what, FIELDS);
      await expectStillServing(t, server);
    },
  },
  {
    name: "a NUL or a bare CR in a header value is refused (400) or replaced by a space",
    async run(t) {
      const server = await t.start();
      const [a, b] = [t.rand.word(), t.rand.word()];
      for (const [ctl, what] of [["\x00", "a NUL"], ["\r", "a bare CR"]] as const) {
        const request = `GET /user-agent HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: ${a}${ctl}${b}\r\nConnection: close\r\n\r\n`;
        await expectAcceptedOr400(t, server, request, `${a} ${b}`, `GET /user-agent with a User-Agent value holding ${what}`, `the value, ${what.slice(2)} replaced by a space`, CTL);
      }
      await expectStillServing(t, server);
    },
  },
  {
    name: "lines ending in a bare LF get an answer (200 or 400), never silence",
    async run(t) {
      const server = await t.start();
      const word = t.rand.word();
      const requests: [string, string][] = [
        [`GET /echo/${word} HTTP/1.1\nHost: 127.0.0.1\nConnection: close\n\n`, "a request whose every line ends in a bare LF"],
        [`GET /echo/${word} HTTP/1.1\r\nHost: 127.0.0.1\nConnection: close\r\n\n`, "a request whose Host line and final empty line end in a bare LF"],
      ];
      for (const [request, what] of requests) await expectAcceptedOr400(t, server, request, word, what, "the word", BARE_LF);
    },
  },
  {
    name: "a major version other than 1 gets 505",
    async run(t) {
      const server = await t.start();
      const word = t.rand.word();
      for (const version of ["HTTP/2.0", "HTTP/3.0", `HTTP/${t.rand.int(4, 9)}.${t.rand.int(0, 9)}`]) {
        await expectRejected(t, server, `GET /echo/${word} ${version}\r\nHost: 127.0.0.1\r\n\r\n`, 505, `a request line with the version ${version}`, VERSION);
      }
      await expectStillServing(t, server);
    },
  },
  {
    name: "a higher minor version (HTTP/1.2 …) is served as HTTP/1.1",
    async run(t) {
      const server = await t.start();
      const conn = await HttpConnection.open(t, server, "client");
      const versions = ["HTTP/1.2", `HTTP/1.${t.rand.int(3, 9)}`];
      const words = versions.map(() => t.rand.word());
      // Pipelined on one connection: served as HTTP/1.1, the connection stays open after the first (no Connection header).
      await conn.send(`GET /echo/${words[0]} ${versions[0]}\r\nHost: 127.0.0.1\r\n\r\nGET /echo/${words[1]} ${versions[1]}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      for (const [i, version] of versions.entries()) {
        const what = `GET /echo/${words[i]} ${version}${i === 1 ? `, sent behind GET /echo/${words[0]} ${versions[0]} on the same connection` : ""}`;
        const r = await conn.response({ message: `No response to ${what}.`, hint: i === 1 ? `${MINOR} An HTTP/1.1 connection stays open after a response unless a side asks to close it (RFC 9112 §9.3).` : MINOR }, { timeoutMs: 2000 });
        t.expectEqual(`status ${r.status}, body ${visible(r.body)}`, `status 200, body ${words[i]}`, { message: `Wrong response to ${what}.`, hint: MINOR });
        t.expectEqual(r.statusLine.split(" ")[0]!, "HTTP/1.1", { message: `The status line of the response to ${what} should say the version you speak, HTTP/1.1.`, hint: MINOR });
      }
      conn.close();
    },
  },
  {
    name: "a request line over 8 KiB gets 414 URI Too Long",
    async run(t) {
      const server = await t.start();
      for (const ends of [true, false]) {
        // Past 8192 bytes with its CRLF by 1 to 20 (an ended line) or by up to 800 (one that never ends), every run.
        const length = 8192 + (ends ? t.rand.int(1, 20) : t.rand.int(1, 800));
        const start = `GET /echo/${t.rand.word()}`;
        const line = ends ? `${start.padEnd(length - " HTTP/1.1\r\n".length, "x")} HTTP/1.1\r\n` : start.padEnd(length, "x");
        const request = ends ? `${line}Host: 127.0.0.1\r\n\r\n` : line;
        t.log.note(ends ? `a request line of ${line.length} bytes (its CRLF included), then Host` : `${request.length} bytes of a request target that never ends`);
        await expectRejected(t, server, request, 414, ends ? `a request line of ${line.length} bytes (over 8 KiB)` : `${request.length} bytes of a request line that never ends (over 8 KiB)`, URI_TOO_LONG);
      }
      await expectStillServing(t, server);
    },
  },
  {
    name: "a body over the limit gets 413 at once",
    async run(t) {
      const server = await t.start();
      const size = t.rand.int(2, 9) * 1024 * 1024 + t.rand.int(0, 1000);
      t.log.note(`a POST announcing ${size} bytes of body, none of them sent`);
      await expectRejected(t, server, `POST /files/${t.rand.word()} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${size}\r\n\r\n`, 413, `a POST with Content-Length: ${size} (over the 1 MiB limit)`, TOO_LARGE);
      await expectStillServing(t, server);
    },
  },
  {
    name: "a chunked body that grows past the limit gets 413",
    async run(t) {
      const server = await t.start();
      const chunk = Buffer.alloc(64 * 1024, t.rand.word());
      const count = 17; // 17 × 64 KiB = 1,114,112 bytes, past 1 MiB; the last chunk (0) is never sent
      t.log.note(`a chunked PUT: ${count} chunks of 64 KiB (${count * chunk.length} bytes), no last chunk`);
      const conn = await HttpConnection.open(t, server, "client", { quiet: true });
      const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]);
      // PUT, which nginx (run with --real) reads the body of; the limit does not depend on the method.
      await sendUntilAnswered(conn, Buffer.concat([Buffer.from(rawRequest("PUT", `/files/${t.rand.word()}`, [["Transfer-Encoding", "chunked"]]), "latin1"), ...Array.from({ length: count }, () => frame)]));
      const r = await conn.response({ message: `No response within 2 s to a chunked PUT whose chunks reached ${count * chunk.length} bytes (over the 1 MiB limit): expected 413.`, hint: CHUNKED_TOO_LARGE }, { timeoutMs: 2000 });
      t.expectEqual(`status ${r.status}`, "status 413", { message: `Wrong status for a chunked body of ${count * chunk.length} bytes (over the 1 MiB limit).`, hint: CHUNKED_TOO_LARGE });
      await expectStillServing(t, server);
    },
  },
  {
    name: "a body of exactly 1 MiB is taken, with Content-Length and chunked",
    async run(t) {
      const server = await t.start();
      const body = Buffer.alloc(1024 * 1024, t.rand.word());
      const name = t.rand.word();
      // PUT, which nginx (run with --real) stores; the limit does not depend on the method.
      for (const chunked of [false, true]) {
        const conn = await HttpConnection.open(t, server, chunked ? "client (chunked)" : "client (Content-Length)", { quiet: true });
        const head = rawRequest("PUT", `/files/${name}-${chunked ? "chunked" : "length"}`, [chunked ? ["Transfer-Encoding", "chunked"] : ["Content-Length", String(body.length)], ["Connection", "close"]]);
        t.log.note(`a PUT of exactly 1,048,576 bytes${chunked ? " in 16 chunks of 64 KiB" : " with Content-Length: 1048576"}`);
        const pieces = chunked ? [...Array.from({ length: 16 }, (_, i) => Buffer.concat([Buffer.from("10000\r\n"), body.subarray(i * 65536, (i + 1) * 65536), Buffer.from("\r\n")])), Buffer.from("0\r\n\r\n")] : [body];
        await sendUntilAnswered(conn, Buffer.concat([Buffer.from(head, "latin1"), ...pieces]));
        const r = await conn.response({ message: `No response within 3 s to a PUT of exactly 1 MiB${chunked ? " (chunked)" : ""}.`, hint: AT_LIMIT });
        t.expectEqual(`status ${r.status}`, "status 201", { message: `A body of exactly 1,048,576 bytes${chunked ? " sent in chunks" : " with Content-Length: 1048576"} is within the 1 MiB limit: it should be stored (201), not refused.`, hint: AT_LIMIT });
        conn.close();
      }
    },
  },
]);
