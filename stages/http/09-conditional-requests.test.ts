import { utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exchange, expectBody, expectStatus, header, HttpConnection, rawRequest, startWithFiles, type HttpResponse } from "../../harness/clients/http.ts";
import { StageFailure } from "../../harness/report/failure.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import type { Program } from "../../harness/stage/program.ts";
import { stage } from "../../harness/stage/define.ts";

const ETAG = "Send an ETag with every file: a quoted string that changes when the file changes (for example its size and modification time, `\"5f3a1c2b-1a4\"`). When a request's If-None-Match lists that tag (or is `*`), answer 304 Not Modified with no body (RFC 9110 §13.1.2, §15.4.5); otherwise the file as usual.";
const INM_FORMS = "If-None-Match is a comma-separated list of entity tags, or `*` (RFC 9110 §13.1.2): answer 304 when any tag in the list matches the file's ETag, comparing weakly (ignore a `W/` prefix on either side), or when the value is `*`.";
const VALIDATORS_304 = "A 304 Not Modified carries the validators a 200 would have had: send ETag and Last-Modified with it (RFC 9110 §15.4.5), so the client can keep its cached copy up to date.";
const PRECEDENCE = "When a request has If-None-Match, ignore If-Modified-Since (RFC 9110 §13.1.3, §13.2.2): the entity tag decides, and a tag that does not match means 200 whatever the date says.";
const BAD_DATE = "An If-Modified-Since that is not a valid HTTP-date is ignored (RFC 9110 §13.1.3): send the file with 200.";
const SECONDS = "HTTP-dates have one-second resolution: compare the file's modification time truncated to the second (the value you send as Last-Modified) with If-Modified-Since (RFC 9110 §13.1.3, §5.6.7).";
const LAST_MODIFIED = "Send Last-Modified: the file's modification time as an HTTP-date (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7). When a request's If-Modified-Since is a date at or after it (and there is no If-None-Match), answer 304 Not Modified with no body (RFC 9110 §13.1.3).";

async function get(t: CaseContext, server: Program, path: string, fields: [string, string][], what: string, hint: string): Promise<HttpResponse> {
  return exchange(t, server, rawRequest("GET", path, [...fields, ["Connection", "close"]]), { message: `No response to GET ${path} ${what}.`, hint });
}

function expect304(t: CaseContext, r: HttpResponse, what: string, hint: string): void {
  t.expectEqual(`status ${r.status}, ${r.body.length} bytes of body`, "status 304, 0 bytes of body", { message: `GET ${what} should answer 304 Not Modified, without a body.`, hint });
}

export default stage(import.meta, [
  {
    name: "ETag, then If-None-Match with it gets 304; another tag or a changed file gets 200",
    async run(t) {
      const name = `${t.rand.word()}.txt`;
      const first = `${t.rand.word()} ${t.rand.int(0, 1e6)}\n`;
      const { server, dir } = await startWithFiles(t, { [name]: first });
      const r = await get(t, server, `/${name}`, [], "", ETAG);
      expectStatus(r, 200, { message: `GET /${name} should answer 200.`, hint: ETAG });
      const etag = header(r, "ETag");
      if (etag === undefined || !/^(W\/)?"[^"]*"$/.test(etag)) return t.fail({ message: `GET /${name} should carry an ETag header: a quoted string.`, expected: 'ETag: "…"', received: etag === undefined ? "(no ETag header)" : `ETag: ${etag}`, hint: ETAG });
      // The 304 on a kept-alive connection, a request right behind it: a body sent with the 304 would be read as the next response.
      const conn = await HttpConnection.open(t, server);
      const word = t.rand.word();
      await conn.send(rawRequest("GET", `/${name}`, [["If-None-Match", etag]]) + rawRequest("GET", `/echo/${word}`, [["Connection", "close"]]));
      expect304(t, await conn.response({ message: `No response to GET /${name} with If-None-Match: ${etag}.`, hint: ETAG }), `with If-None-Match: ${etag} (the file's own ETag)`, ETAG);
      const NO_BODY = `A 304 has no body (RFC 9110 §15.4.5): send its head only; the next response on the connection starts right after its empty line. ${ETAG}`;
      let next: HttpResponse;
      try {
        next = await conn.response({ message: `No response to GET /echo/${word}, sent behind the request that got 304 on the same connection.`, hint: NO_BODY });
      } catch (e) {
        if (!(e instanceof StageFailure)) throw e;
        return t.fail({ message: `After the 304, the response to GET /echo/${word} (sent behind it on the same connection) could not be read: bytes followed the 304's head.`, detail: e.details.detail, hint: NO_BODY });
      }
      expectBody(next, word, { message: `After the 304, the next response on the same connection should be the one to GET /echo/${word}.`, hint: NO_BODY });
      conn.close();
      const other = `"${t.rand.word()}-${t.rand.int(1, 1e6)}"`;
      const r2 = await get(t, server, `/${name}`, [["If-None-Match", other]], `with If-None-Match: ${other}`, ETAG);
      expectStatus(r2, 200, { message: `GET with If-None-Match: ${other}, a tag the file does not have, should answer 200 with the file.`, hint: ETAG });
      t.log.note("the file changes: new content, a new modification time");
      const second = `${first}${t.rand.word()} ${t.rand.word()}\n`;
      writeFileSync(join(dir, name), second);
      const later = new Date(Date.now() + 60_000);
      utimesSync(join(dir, name), later, later);
      const r3 = await get(t, server, `/${name}`, [["If-None-Match", etag]], `with the old ETag after the file changed`, ETAG);
      expectStatus(r3, 200, { message: "After the file changed, If-None-Match with its old ETag should answer 200 with the new content.", hint: ETAG });
      expectBody(r3, second, { message: "After the file changed, GET should return its new content.", hint: ETAG });
    },
  },
  {
    name: "Last-Modified, then If-Modified-Since with it gets 304; an earlier date gets 200",
    async run(t) {
      const name = `${t.rand.word()}.html`;
      const { server, dir } = await startWithFiles(t, { [name]: `<p>${t.rand.word()}</p>\n` });
      // The padding boundary on every seed: a day, hour and second below 10 (printed "05", "07", "03"), a minute above.
      const mtime = new Date(Date.UTC(2020 + t.rand.int(0, 4), t.rand.int(0, 11), t.rand.int(1, 9), t.rand.int(0, 9), t.rand.int(10, 59), t.rand.int(0, 9)));
      utimesSync(join(dir, name), mtime, mtime);
      t.log.note(`the file's modification time is ${mtime.toUTCString()}`);
      const r = await get(t, server, `/${name}`, [], "", LAST_MODIFIED);
      t.expectEqual(`Last-Modified: ${header(r, "Last-Modified") ?? "(none)"}`, `Last-Modified: ${mtime.toUTCString()}`, { message: `GET /${name} should carry Last-Modified: the file's modification time as an HTTP-date.`, hint: LAST_MODIFIED });
      const since = mtime.toUTCString();
      expect304(t, await get(t, server, `/${name}`, [["If-Modified-Since", since]], `with If-Modified-Since: ${since}`, LAST_MODIFIED), `with If-Modified-Since: ${since} (the file's own date)`, LAST_MODIFIED);
      const before = new Date(mtime.getTime() - 86_400_000).toUTCString();
      const r2 = await get(t, server, `/${name}`, [["If-Modified-Since", before]], `with If-Modified-Since: ${before}`, LAST_MODIFIED);
      expectStatus(r2, 200, { message: `GET with If-Modified-Since: ${before}, a day before the file changed, should answer 200 with the file.`, hint: LAST_MODIFIED });
    },
  },
  {
    name: "If-None-Match lists, W/ and *; a 304 carries ETag and Last-Modified",
    async run(t) {
      const name = `${t.rand.word()}.txt`;
      const { server } = await startWithFiles(t, { [name]: `${t.rand.word()} ${t.rand.int(0, 1e6)}\n` });
      const r = await get(t, server, `/${name}`, [], "", ETAG);
      const etag = header(r, "ETag") ?? "";
      const lastModified = header(r, "Last-Modified");
      if (!/^(W\/)?"[^"]*"$/.test(etag)) return t.fail({ message: `GET /${name} should carry an ETag header: a quoted string.`, expected: 'ETag: "…"', received: etag ? `ETag: ${etag}` : "(no ETag header)", hint: ETAG });
      const strong = etag.replace(/^W\//, "");
      const other = `"${t.rand.word()}-${t.rand.int(1, 1e6)}"`;
      const forms: [string, string][] = [
        [`${other}, ${strong}`, "a list whose second tag is the file's"],
        [`W/${strong}`, "the file's tag marked weak (W/)"],
        ["*", "*"],
      ];
      for (const [value, what] of forms) {
        const r304 = await get(t, server, `/${name}`, [["If-None-Match", value]], `with If-None-Match: ${value}`, INM_FORMS);
        expect304(t, r304, `with If-None-Match: ${value} (${what})`, INM_FORMS);
        const got = `ETag: ${header(r304, "ETag") ?? "(none)"}, Last-Modified: ${header(r304, "Last-Modified") ?? "(none)"}`;
        t.expectEqual(got, `ETag: ${etag}, Last-Modified: ${lastModified ?? "(none)"}`, { message: "A 304 should carry the same ETag and Last-Modified as the 200.", hint: VALIDATORS_304 });
      }
    },
  },
  {
    name: "If-None-Match wins over If-Modified-Since; an unreadable date is ignored; dates compare to the second",
    async run(t) {
      const name = `${t.rand.word()}.txt`;
      const { server, dir } = await startWithFiles(t, { [name]: `${t.rand.word()} ${t.rand.int(0, 1e6)}\n` });
      // A modification time with a fraction of a second, every run: Last-Modified says the whole second.
      const second = Date.UTC(2021 + t.rand.int(0, 3), t.rand.int(0, 11), t.rand.int(1, 28), t.rand.int(0, 23), t.rand.int(0, 59), t.rand.int(0, 59));
      const mtime = new Date(second + t.rand.int(300, 900));
      utimesSync(join(dir, name), mtime, mtime);
      const date = new Date(second).toUTCString();
      t.log.note(`the file's modification time is ${mtime.toISOString()} (${date} to the second)`);
      expect304(t, await get(t, server, `/${name}`, [["If-Modified-Since", date]], `with If-Modified-Since: ${date}`, SECONDS), `with If-Modified-Since: ${date} (the file's modification time, ${mtime.toISOString()}, to the second)`, SECONDS);
      const other = `"${t.rand.word()}-${t.rand.int(1, 1e6)}"`;
      const r = await get(t, server, `/${name}`, [["If-None-Match", other], ["If-Modified-Since", date]], `with If-None-Match: ${other} and If-Modified-Since: ${date}`, PRECEDENCE);
      expectStatus(r, 200, { message: `GET with If-None-Match: ${other} (not the file's tag) and If-Modified-Since: ${date} (the file's date) should answer 200: If-None-Match decides.`, hint: PRECEDENCE });
      const bad = `${t.rand.word()}day`;
      const r2 = await get(t, server, `/${name}`, [["If-Modified-Since", bad]], `with If-Modified-Since: ${bad}`, BAD_DATE);
      expectStatus(r2, 200, { message: `GET with If-Modified-Since: ${bad} (not a date) should answer 200 with the file.`, hint: BAD_DATE });
    },
  },
]);
