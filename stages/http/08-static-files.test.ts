import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { baseUrl, curl, exchange, expectBody, expectHeader, expectStatus, rawRequest, startWithFiles } from "../../harness/clients/http.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const TYPES = "Serve GET /<path> from the file <path> under --directory, with a Content-Type chosen by the file's extension (RFC 9110 §8.3): .html text/html, .css text/css, .js text/javascript, .json application/json, .txt text/plain, .png image/png; application/octet-stream for an extension you do not know.";
const DECODE = "Percent-decode the request path before looking up the file (RFC 3986 §2.1): `%20` is a space, `%41` is `A`; the file `a b.txt` is requested as `/a%20b.txt`.";
const TRAVERSAL = "Never serve a file outside --directory: after percent-decoding the path, refuse any path with a `..` segment (400, 403 or 404) instead of joining it to the directory — `/../x` or `/%2e%2e/x` would otherwise reach the directory's parent.";

function text(t: CaseContext): string {
  return `${t.rand.word()} ${t.rand.int(0, 1e6)} ${t.rand.word()}\n`;
}

export default stage(import.meta, [
  {
    name: "files are served with the content type of their extension, from sub-folders too",
    async run(t) {
      const base = t.rand.word();
      const files: [string, RegExp][] = [
        [`${base}.html`, /^text\/html\b/],
        [`${base}.css`, /^text\/css\b/],
        [`${base}.js`, /^(text|application)\/javascript\b/],
        [`${base}.json`, /^application\/json\b/],
        [`${base}.txt`, /^text\/plain\b/],
        [`${base}.png`, /^image\/png\b/],
        [`${base}.bin`, /^application\/octet-stream\b/],
        [`${t.rand.word()}/${t.rand.word()}/index.html`, /^text\/html\b/],
      ];
      const contents = Object.fromEntries(files.map(([name]) => [name, text(t)]));
      const { server } = await startWithFiles(t, contents);
      for (const [name, type] of files) {
        const { responses } = await curl(t, [`${baseUrl(server)}/${name}`], { message: `curl could not GET /${name}.`, hint: TYPES });
        const r = responses[0]!;
        expectStatus(r, 200, { message: `GET /${name} of a file in --directory should answer 200.`, hint: TYPES });
        expectHeader(r, "Content-Type", type, { message: `Wrong Content-Type for /${name}.`, hint: TYPES });
        expectBody(r, contents[name]!, { message: `GET /${name} should return the file's bytes.`, hint: TYPES });
      }
    },
  },
  {
    name: "paths that climb out of the directory are refused",
    async run(t) {
      const secret = `secret-${t.rand.word()}-${t.rand.int(1000, 9999)}`;
      const name = `${t.rand.word()}.txt`;
      const { server } = await startWithFiles(t, { "sub/page.txt": text(t) });
      // A file beside --directory, that must not be reachable.
      writeFileSync(join(t.dir, name), secret);
      for (const path of [`/../${name}`, `/sub/../../${name}`, `/%2e%2e/${name}`, `/sub/%2E%2E/%2e%2e/${name}`]) {
        const r = await exchange(t, server, rawRequest("GET", path, [["Connection", "close"]]), { message: `No response to GET ${path}.`, hint: TRAVERSAL });
        if (r.status === 200 || r.body.toString().includes(secret)) t.fail({ message: `GET ${path} served ${name}, a file outside --directory.`, expected: "status 400, 403 or 404", received: `status ${r.status}, body ${JSON.stringify(r.body.toString().slice(0, 80))}`, hint: TRAVERSAL });
        if (r.status < 400 || r.status > 404) t.fail({ message: `GET ${path} should be refused.`, expected: "status 400, 403 or 404", received: `status ${r.status}`, hint: TRAVERSAL });
      }
    },
  },
  {
    name: "a percent-encoded path is decoded before the file is looked up",
    async run(t) {
      const name = `${t.rand.word()} ${t.rand.int(10, 99)}.txt`;
      const body = text(t);
      // A name with a "+" too: in a path only percent-escapes are decoded ("+" is a space only in form data).
      const plus = `${t.rand.word()}+${t.rand.word()}.txt`;
      const plusBody = text(t);
      const { server } = await startWithFiles(t, { [name]: body, [plus]: plusBody });
      const path = `/${name.replace(" ", "%20")}`;
      const r = await exchange(t, server, rawRequest("GET", path, [["Connection", "close"]]), { message: `No response to GET ${path}.`, hint: DECODE });
      expectStatus(r, 200, { message: `GET ${path} should serve the file "${name}" (%20 is a space).`, hint: DECODE });
      expectBody(r, body, { message: `GET ${path} should return the bytes of "${name}".`, hint: DECODE });
      const plusHint = `${DECODE} Only percent-escapes are decoded in a path: a "+" is a plus sign (it stands for a space only in form data, application/x-www-form-urlencoded).`;
      const p = await exchange(t, server, rawRequest("GET", `/${plus}`, [["Connection", "close"]]), { message: `No response to GET /${plus}.`, hint: plusHint });
      expectStatus(p, 200, { message: `GET /${plus} should serve the file "${plus}": a "+" in a path is a plus sign, not a space.`, hint: plusHint });
      expectBody(p, plusBody, { message: `GET /${plus} should return the bytes of "${plus}".`, hint: plusHint });
    },
  },
]);
