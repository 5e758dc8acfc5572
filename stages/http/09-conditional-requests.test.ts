import { utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exchange, expectBody, expectStatus, header, rawRequest, startWithFiles, type HttpResponse } from "../../harness/clients/http.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import type { Program } from "../../harness/stage/program.ts";
import { stage } from "../../harness/stage/define.ts";

const ETAG = "Send an ETag with every file: a quoted string that changes when the file changes (for example its size and modification time, `\"5f3a1c2b-1a4\"`). When a request's If-None-Match lists that tag (or is `*`), answer 304 Not Modified with no body (RFC 9110 §13.1.2, §15.4.5); otherwise the file as usual.";
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
      expect304(t, await get(t, server, `/${name}`, [["If-None-Match", etag]], `with If-None-Match: ${etag}`, ETAG), `with If-None-Match: ${etag} (the file's own ETag)`, ETAG);
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
      const mtime = new Date(Date.UTC(2020 + t.rand.int(0, 4), t.rand.int(0, 11), t.rand.int(1, 28), t.rand.int(0, 23), t.rand.int(0, 59), t.rand.int(0, 59)));
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
]);
