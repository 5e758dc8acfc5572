import { baseUrl, curl, expectBody, expectStatus, HttpConnection, rawRequest, type HttpResponse } from "../../harness/clients/http.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const KEEP_ALIVE = "An HTTP/1.1 connection is persistent (RFC 9112 §9.3): after a response, do not close; go back to reading the next request on the same connection. Close only when the client sends `Connection: close` (or closes itself).";
const PIPELINE = "A client may send several requests without waiting for the responses (pipelining, RFC 9112 §9.3.2). One read can hold several requests, or a request and a half: parse every complete request in your buffer, answer each in the order they came, and keep the rest for the next read.";
const CLOSE = "When the request has `Connection: close`, send the response and then close the connection (RFC 9112 §9.6).";
const HTTP10 = "HTTP/1.0 connections are not persistent by default (RFC 9112 §9.3): after the response to an HTTP/1.0 request, close the connection, unless the request said `Connection: keep-alive`.";
const KEEP_ALIVE_ANY_CASE = "Connection is a comma-separated list of tokens, and tokens are case-insensitive (RFC 9110 §7.6.1): an HTTP/1.0 request with `Connection: Keep-Alive` (as wget and ab write it) asks to keep the connection open just as `keep-alive` does. Split the value on commas, trim, and compare lowercased.";
const CLOSE_ANY_CASE = "Connection is a comma-separated list of tokens, and tokens are case-insensitive (RFC 9110 §7.6.1): `Close`, `CLOSE` and `keep-alive, close` all ask you to close after the response (RFC 9112 §9.6). Split the value on commas, trim, and compare lowercased.";

async function echo(conn: HttpConnection, text: string, hint: string, what: string): Promise<HttpResponse> {
  const r = await conn.response({ message: `No response to GET /echo/${text} (${what}).`, hint });
  expectStatus(r, 200, { message: `GET /echo/${text} should answer 200 OK.`, hint });
  expectBody(r, text, { message: `Wrong body for GET /echo/${text} (${what}): responses must come in the order of the requests.`, hint });
  return r;
}

function words(t: CaseContext, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${t.rand.word()}${i}`);
}

export default stage(import.meta, [
  {
    name: "curl with several URLs re-uses one connection",
    async run(t) {
      const server = await t.start();
      const texts = words(t, 3);
      const { responses, trace } = await curl(t, texts.map((w) => `${baseUrl(server)}/echo/${w}`), { message: "curl could not fetch three URLs.", hint: KEEP_ALIVE });
      texts.forEach((w, i) => expectBody(responses[i] ?? ({ body: Buffer.alloc(0) } as HttpResponse), w, { message: `Wrong body for URL ${i + 1} of 3 (/echo/${w}).`, hint: KEEP_ALIVE }));
      const reused = (trace.match(/Re-using existing/g) ?? []).length;
      if (reused < 2) t.fail({ message: "curl did not re-use its connection for the second and third URLs (it prints \"Re-using existing connection\" when it does).", expected: "2 re-uses", received: `${reused}`, hint: KEEP_ALIVE });
    },
  },
  {
    name: "three requests one after another on one connection are all answered",
    async run(t) {
      const server = await t.start();
      const conn = await HttpConnection.open(t, server, "client");
      for (const [i, w] of words(t, 3).entries()) {
        try {
          await conn.send(rawRequest("GET", `/echo/${w}`));
          await echo(conn, w, KEEP_ALIVE, `request ${i + 1} of 3 on one connection`);
        } catch (e) {
          if (i > 0 && conn.closed) t.fail({ message: `Your program closed the connection after response ${i}, although the request did not ask it to (no Connection: close).`, hint: KEEP_ALIVE });
          throw e;
        }
      }
    },
  },
  {
    name: "Connection: close gets its response, then the connection is closed",
    async run(t) {
      const server = await t.start();
      const conn = await HttpConnection.open(t, server, "client");
      const [first, last] = words(t, 2) as [string, string];
      await conn.send(rawRequest("GET", `/echo/${first}`));
      await echo(conn, first, KEEP_ALIVE, "a first request, keep-alive");
      await conn.send(rawRequest("GET", `/echo/${last}`, [["Connection", "close"]]));
      await echo(conn, last, CLOSE, "a second request with Connection: close");
      if (!(await conn.waitClosed(2000))) t.fail({ message: "The connection was still open 2 s after the response to a request with Connection: close.", hint: CLOSE });
    },
  },
  {
    name: "Connection: Close, CLOSE and a list with close also close the connection",
    async run(t) {
      const server = await t.start();
      // The token is case-insensitive (RFC 9110 §7.6.1) and the field is a comma-separated list: every run sends all three forms.
      for (const value of ["Close", "CLOSE", "keep-alive, cLoSe"]) {
        const conn = await HttpConnection.open(t, server, `client (Connection: ${value})`);
        const w = t.rand.word();
        await conn.send(rawRequest("GET", `/echo/${w}`, [["Connection", value]]));
        await echo(conn, w, CLOSE_ANY_CASE, `a request with Connection: ${value}`);
        if (!(await conn.waitClosed(2000))) t.fail({ message: `The connection was still open 2 s after the response to a request with Connection: ${value}.`, expected: "the connection closed", received: "still open", hint: CLOSE_ANY_CASE });
      }
    },
  },
  {
    name: "three pipelined requests sent in one write are answered in order",
    async run(t) {
      const server = await t.start();
      const conn = await HttpConnection.open(t, server, "client");
      const texts = words(t, 3);
      t.log.note("three requests in one write, as `printf '…' | nc` sends them");
      await conn.send(texts.map((w) => rawRequest("GET", `/echo/${w}`)).join(""));
      for (const [i, w] of texts.entries()) {
        await echo(conn, w, PIPELINE, `pipelined request ${i + 1} of 3${i > 0 ? `; only ${i} of the 3 requests sent together got a response so far` : ""}`);
      }
    },
  },
  {
    name: "a request that arrives in pieces, and one that arrives with the start of the next",
    async run(t) {
      const server = await t.start();
      const conn = await HttpConnection.open(t, server, "client");
      const [a, b] = words(t, 2) as [string, string];
      const ra = rawRequest("GET", `/echo/${a}`);
      const rb = rawRequest("GET", `/echo/${b}`);
      t.log.note("request 1 in three pieces, the last with the first bytes of request 2, then the rest of request 2");
      const cut = rb.length >> 1;
      // A program that answers a broken request (400) and closes before the last piece: its answer is what the report shows.
      await conn.send([ra.slice(0, 7), ra.slice(7, 20), ra.slice(20) + rb.slice(0, cut), rb.slice(cut)], 60).catch((e) => {
        if (!conn.closed) throw e;
      });
      await echo(conn, a, PIPELINE, "a request sent in pieces");
      await echo(conn, b, PIPELINE, "a request whose first bytes came with the previous one");
    },
  },
  {
    name: "a slow client does not hold up another",
    async run(t) {
      const server = await t.start();
      const slow = await HttpConnection.open(t, server, "slow client");
      const [a, b] = words(t, 2) as [string, string];
      const ra = rawRequest("GET", `/echo/${a}`);
      await slow.send(ra.slice(0, 12));
      const fast = await HttpConnection.open(t, server, "fast client");
      await fast.send(rawRequest("GET", `/echo/${b}`));
      await echo(fast, b, "Serve every connection independently (an event loop, or a thread per connection): a client that has sent half a request must not stop the server from answering others.", "while another client has sent only half a request");
      await slow.send(ra.slice(12));
      await echo(slow, a, PIPELINE, "the slow client's request, completed later");
    },
  },
  {
    name: "HTTP/1.0 closes after the response unless it asks for keep-alive",
    async run(t) {
      const server = await t.start();
      const [a, b, c] = words(t, 3) as [string, string, string];
      const plain = await HttpConnection.open(t, server, "HTTP/1.0 client");
      await plain.send(`GET /echo/${a} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n`);
      await echo(plain, a, HTTP10, "an HTTP/1.0 request");
      if (!(await plain.waitClosed(2000))) t.fail({ message: "The connection was still open 2 s after the response to an HTTP/1.0 request without Connection: keep-alive.", expected: "the connection closed", received: "still open", hint: HTTP10 });
      const kept = await HttpConnection.open(t, server, "HTTP/1.0 client asking for keep-alive");
      await kept.send(`GET /echo/${b} HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
      await echo(kept, b, HTTP10, "an HTTP/1.0 request with Connection: keep-alive");
      await kept.send(`GET /echo/${c} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n`);
      await echo(kept, c, HTTP10, "a second HTTP/1.0 request on a connection kept alive");
      // HTTP/1.0 clients (wget, ab) write the token Keep-Alive: tokens are case-insensitive.
      const [d, e] = words(t, 2) as [string, string];
      const capital = await HttpConnection.open(t, server, "HTTP/1.0 client asking for Keep-Alive");
      await capital.send(`GET /echo/${d} HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: Keep-Alive\r\n\r\n`);
      await echo(capital, d, HTTP10, "an HTTP/1.0 request with Connection: Keep-Alive");
      await capital.send(`GET /echo/${e} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n`);
      await echo(capital, e, KEEP_ALIVE_ANY_CASE, "a second HTTP/1.0 request on a connection the first kept alive with Connection: Keep-Alive, in capitals");
    },
  },
]);
