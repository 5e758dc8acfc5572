import { HttpConnection } from "../../harness/clients/http.ts";
import { StageFailure } from "../../harness/report/failure.ts";
import { visible } from "../../harness/report/show.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import type { Program } from "../../harness/stage/program.ts";
import { stage } from "../../harness/stage/define.ts";

/** One raw request of the corpus; `either`: the statuses the RFC allows besides nginx's (the allowed differences of 13-differential.md). */
interface Entry {
  what: string;
  raw: string;
  head?: boolean;
  either?: number[];
}

const H = "Host: 127.0.0.1\r\n";
const END = "Connection: close\r\n\r\n";

/** The fixed corpus (13-differential.md lists it): 24 well-formed requests, then 20 malformed ones. */
const CORPUS: Entry[] = [
  { what: "GET /", raw: `GET / HTTP/1.1\r\n${H}${END}` },
  { what: "GET /echo/abc", raw: `GET /echo/abc HTTP/1.1\r\n${H}${END}` },
  { what: "HEAD /echo/abc", raw: `HEAD /echo/abc HTTP/1.1\r\n${H}${END}`, head: true },
  { what: "a path with no route", raw: `GET /no-such-page HTTP/1.1\r\n${H}${END}` },
  { what: "a file that does not exist under /files/", raw: `GET /files/no-such-file HTTP/1.1\r\n${H}${END}` },
  { what: "GET /user-agent", raw: `GET /user-agent HTTP/1.1\r\n${H}User-Agent: diff/1.0\r\n${END}` },
  { what: "a query string", raw: `GET /echo/abc?x=1&y=2 HTTP/1.1\r\n${H}${END}` },
  { what: "a percent-encoded path", raw: `GET /echo/a%62c HTTP/1.1\r\n${H}${END}` },
  { what: "an absolute-form target", raw: `GET http://127.0.0.1/echo/abc HTTP/1.1\r\n${H}${END}` },
  { what: "HTTP/1.0 without Host", raw: `GET /echo/abc HTTP/1.0\r\n\r\n` },
  { what: "HTTP/1.0 with Host", raw: `GET / HTTP/1.0\r\n${H}\r\n` },
  { what: "an empty line before the request line", raw: `\r\nGET /echo/abc HTTP/1.1\r\n${H}${END}` },
  { what: "every line ending in a bare LF", raw: `GET /echo/abc HTTP/1.1\nHost: 127.0.0.1\nConnection: close\n\n`, either: [400] },
  { what: "Host with a port", raw: `GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n${END}` },
  { what: "a header name in capitals", raw: `GET / HTTP/1.1\r\nHOST: 127.0.0.1\r\n${END}` },
  { what: "an empty header value", raw: `GET / HTTP/1.1\r\n${H}X-Empty:\r\n${END}` },
  { what: "a tab inside a header value", raw: `GET / HTTP/1.1\r\n${H}X-Tab: a\tb\r\n${END}` },
  { what: "no space after the colon", raw: `GET / HTTP/1.1\r\nHost:127.0.0.1\r\n${END}` },
  { what: "a 4,000-byte header value", raw: `GET / HTTP/1.1\r\n${H}X-Long: ${"v".repeat(4000)}\r\n${END}` },
  { what: "a PUT with Content-Length", raw: `PUT /files/diff-put HTTP/1.1\r\n${H}Content-Length: 3\r\nConnection: close\r\n\r\nabc` },
  { what: "a chunked PUT", raw: `PUT /files/diff-chunked HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n` },
  { what: "Content-Length: 0 on a GET", raw: `GET / HTTP/1.1\r\n${H}Content-Length: 0\r\n${END}` },
  { what: "two equal Content-Length headers", raw: `PUT /files/diff-twice HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc`, either: [201] },
  { what: "HTTP/1.2, a higher minor version", raw: `GET /echo/abc HTTP/1.2\r\n${H}${END}` },
  { what: "no Host in HTTP/1.1", raw: `GET / HTTP/1.1\r\n${END}` },
  { what: "two Host headers", raw: `GET / HTTP/1.1\r\n${H}Host: other.example\r\n${END}` },
  { what: "a space before the colon", raw: `GET / HTTP/1.1\r\nHost : 127.0.0.1\r\n${END}` },
  { what: "a one-word request line", raw: `GARBAGE\r\n\r\n` },
  { what: "a four-word request line", raw: `GET / HTTP/1.1 extra\r\n${H}${END}` },
  { what: "a version that is not HTTP", raw: `GET / FOO/1.1\r\n${H}${END}` },
  { what: "a lowercase version", raw: `GET / http/1.1\r\n${H}${END}` },
  { what: "a method with @", raw: `G@T / HTTP/1.1\r\n${H}${END}` },
  { what: "HTTP/2.0 in the request line", raw: `GET / HTTP/2.0\r\n${H}${END}` },
  { what: "HTTP/3.0 in the request line", raw: `GET / HTTP/3.0\r\n${H}${END}` },
  { what: "a NUL in a header value", raw: `GET / HTTP/1.1\r\n${H}X-A: a\x00b\r\n${END}` },
  { what: "a bare CR in a header value", raw: `GET / HTTP/1.1\r\n${H}X-A: a\rb\r\n${END}` },
  { what: "Content-Length that is a word", raw: `PUT /files/diff-a HTTP/1.1\r\n${H}Content-Length: abc\r\n${END}` },
  { what: "Content-Length: -1", raw: `PUT /files/diff-b HTTP/1.1\r\n${H}Content-Length: -1\r\n${END}` },
  { what: "two different Content-Length headers", raw: `PUT /files/diff-c HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd` },
  { what: "Content-Length over 1 MiB", raw: `PUT /files/diff-d HTTP/1.1\r\n${H}Content-Length: 5000000\r\n\r\n` },
  { what: "a request line of 9,000 bytes", raw: `GET /echo/${"a".repeat(9000)} HTTP/1.1\r\n${H}${END}` },
  { what: "a bad chunk size", raw: `PUT /files/diff-e HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n` },
  { what: "a header line without a colon", raw: `GET / HTTP/1.1\r\n${H}NoColonHere\r\n${END}`, either: [400] },
  { what: "two spaces in the request line", raw: `GET  / HTTP/1.1\r\n${H}${END}`, either: [400] },
];

/** How long each server has to answer one request (a server that waits for bytes that never come fails it). */
const WAIT_MS = 2000;
/** After this many requests without a response, no more are sent (each costs WAIT_MS). */
const ENOUGH_SILENT = 5;
const SHOWN = 5;

/** The status each server gives `e` on a fresh connection, or what went wrong instead. */
async function statusOf(t: CaseContext, server: Program, e: Entry, name: string): Promise<number | string> {
  const conn = await HttpConnection.open(t, server, name, { quiet: true });
  try {
    await conn.send(e.raw).catch(() => {});
    const r = await conn.response({ message: "" }, { timeoutMs: WAIT_MS, headRequest: e.head });
    return r.status;
  } catch (err) {
    if (!(err instanceof StageFailure)) throw err;
    return conn.closed ? "closed without a response" : `no response within ${WAIT_MS / 1000} s`;
  } finally {
    conn.close();
  }
}

export default stage(import.meta, [
  {
    name: "44 raw requests, well-formed and malformed: the statuses agree with nginx's",
    timeout: 120,
    async run(t) {
      const program = await t.start();
      // nginx, through the same wrapper --real runs, with the same routes and limits.
      const nginx = await t.startReal();
      const disagreements: string[] = [];
      let silent = 0;
      let compared = 0;
      let allowed = 0;
      for (const [i, e] of CORPUS.entries()) {
        if (silent >= ENOUGH_SILENT) break;
        const [ours, theirs] = await Promise.all([statusOf(t, program, e, `your program, request ${i + 1}`), statusOf(t, nginx, e, `nginx, request ${i + 1}`)]);
        compared++;
        if (typeof ours === "string") silent++;
        if (ours === theirs) continue;
        if (typeof ours === "number" && e.either?.includes(ours)) {
          allowed++;
          continue;
        }
        const also = e.either?.length ? ` (or ${e.either.join(", ")}, which the RFC allows too)` : "";
        disagreements.push(`request ${i + 1}, ${e.what}: ${visible(e.raw.length > 200 ? `${e.raw.slice(0, 200)}…` : e.raw)}\n  your program: ${typeof ours === "number" ? `status ${ours}` : ours}\n  nginx:        ${typeof theirs === "number" ? `status ${theirs}` : theirs}${also}`);
      }
      t.log.note(`${compared - disagreements.length - allowed} of ${compared} statuses equal nginx's, ${allowed} differ as allowed, ${disagreements.length} disagree`);
      if (disagreements.length === 0 && compared === CORPUS.length) return;
      throw new StageFailure({
        message: `${disagreements.length} of ${compared} statuses disagree with nginx's on the same raw requests${compared < CORPUS.length ? ` (stopped after ${ENOUGH_SILENT} requests got no response: ${CORPUS.length - compared} not sent)` : ""}.`,
        detail: `${disagreements.slice(0, SHOWN).join("\n\n")}${disagreements.length > SHOWN ? `\n\n(and ${disagreements.length - SHOWN} more)` : ""}\n\nReplay one: printf '<the request>' | nc 127.0.0.1 <port>`,
        hint: "Each request is answered on its own connection; compare the status with nginx's. The stage that covers the behaviour says what is due: routes 2, headers 3, bodies 5, malformed requests, 414 and 505: 6, the header limit 7; 13-differential.md lists the corpus and the allowed differences.",
      });
    },
  },
]);
