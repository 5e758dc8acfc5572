/**
 * bun challenges/http/mutants.ts [--only=<id>] [--seed=<n>]
 *
 * Hand-written mutants of the reference HTTP server, for the mutation score
 * in challenges/http/README.md ("Promises and checks"). Each is one plausible
 * mistake, written from a reading of a stage's .md other than the one its
 * cases were written from (not one of the fixture switches in
 * solutions/http): a copy of solutions/http with one piece of source text
 * replaced, run against the stage whose .md makes the promise, exactly as a
 * learner's program (`bun test --stage-only=http/<stage> --impl=…`). A mutant
 * that passes its stage survived: either a promise no case checks, or an
 * equivalent mutant (its note says which).
 *
 * Prints one line per mutant (killed / SURVIVED / stale, when its source text
 * is no longer in the reference) and the score. Exit code 0 when it ran,
 * whatever the score; 2 on bad arguments.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SOLUTIONS_DIR } from "../../harness/paths.ts";
import { runStagesInSubprocess } from "../../harness/stage/subprocess.ts";

interface Mutant {
  id: string;
  /** The stage whose .md makes the promise, e.g. "4" or "http2/5". */
  stage: string;
  /** The reading of the .md this mistake comes from. */
  reading: string;
  /** A file under solutions/http/, and the text replaced in it (which must occur exactly once). */
  file: string;
  find: string;
  replace: string;
}

export const MUTANTS: Mutant[] = [
  { id: "reason-ok-lowercase", stage: "1", reading: "any reason phrase will do: `200 Ok`", file: "response.ts", find: '200: "OK",', replace: '200: "Ok",' },
  { id: "echo-text-html", stage: "2", reading: "the echo is a page: text/html", file: "routes.ts", find: 'return text(200, path.slice("/echo/".length));', replace: 'return { ...text(200, path.slice("/echo/".length)), headers: [["Content-Type", "text/html"]] };' },
  { id: "header-values-lowercased", stage: "3", reading: "case-insensitive fields: lowercase the whole line, value too", file: "request.ts", find: "headers.set(key, prior === undefined ? value : `${prior}, ${value}`);", replace: "headers.set(key, prior === undefined ? value.toLowerCase() : `${prior}, ${value}`.toLowerCase());" },
  { id: "http10-kept-open", stage: "4", reading: "every connection is persistent, HTTP/1.0 too", file: "server.ts", find: 'return req.version === "HTTP/1.0" && !tokens.includes("keep-alive");', replace: "return false;" },
  { id: "chunk-size-decimal", stage: "5", reading: "the chunk size is a number (read as decimal)", file: "request.ts", find: "const size = parseInt(sizeText, 16);", replace: "const size = /^[0-9]+$/.test(sizeText) ? parseInt(sizeText, 10) : parseInt(sizeText, 16);" },
  { id: "content-length-isnan", stage: "6", reading: "Content-Length must be a number: anything Number() accepts", file: "request.ts", find: "if (!/^\\d+$/.test(value)) throw", replace: "if (Number.isNaN(Number(value)) || value.trim() === \"\") throw" },
  { id: "head-limit-complete-only", stage: "7", reading: "measure the header section once it has ended", file: "request.ts", find: "    if (buf.length - start > limit && !opts.noHeaderLimit) throw new ParseError(431, `header section over ${limit} bytes`);\n", replace: "" },
  { id: "js-x-javascript", stage: "8", reading: ".js is application/x-javascript", file: "static.ts", find: '".js": "text/javascript",', replace: '".js": "application/x-javascript",' },
  { id: "ims-strictly-before", stage: "9", reading: "304 only when the file is older than the date", file: "static.ts", find: ": Math.floor(st.mtimeMs / 1000) * 1000) <= since;", replace: ": Math.floor(st.mtimeMs / 1000) * 1000) < since;" },
  { id: "inm-first-tag-only", stage: "9", reading: "If-None-Match holds one tag", file: "static.ts", find: 'if (inm.split(",").some((tag) => bare(tag) === bare(etag))) return true;', replace: 'if (bare(inm.split(",")[0]!) === bare(etag)) return true;' },
  { id: "content-range-exclusive-end", stage: "10", reading: "Content-Range's last is exclusive, like a slice", file: "static.ts", find: "`bytes ${range.start}-${range.end}/${body.length}`", replace: "`bytes ${range.start}-${range.end + 1}/${body.length}`" },
  { id: "gzip-the-206", stage: "11", reading: "compress whatever the body is, a range too", file: "static.ts", find: "if (range) return response(206, body.subarray(range.start, range.end + 1),", replace: "if (range) return response(206, gzip ? gzipSync(body.subarray(range.start, range.end + 1)) : body.subarray(range.start, range.end + 1),", },
  { id: "gzip-q-ignored", stage: "11", reading: "gzip listed at all means gzip", file: "static.ts", find: 'return (coding === "gzip" || coding === "*") && (q === undefined || Number(q.slice(2)) > 0);', replace: 'return coding === "gzip" || coding === "*";' },
  { id: "chunk-size-decimal-out", stage: "12", reading: "the chunk's size in bytes, as a number", file: "response.ts", find: "Buffer.from(`${data.length.toString(16)}\\r\\n`)", replace: "Buffer.from(`${data.length.toString(10)}\\r\\n`)" },
  { id: "hpack-oldest-at-62", stage: "http2/2", reading: "the dynamic table is appended to: index 62 is the first entry added", file: "h2/hpack.ts", find: "    this.entries.unshift(f);\n    this.size += this.entrySize(f);\n    this.evict();", replace: "    this.entries.push(f);\n    this.size += this.entrySize(f);\n    while (this.size > this.maxSize && this.entries.length > 0) this.size -= this.entrySize(this.entries.shift()!);" },
  { id: "conn-window-not-spent", stage: "http2/4", reading: "flow control is per stream", file: "h2/connection.ts", find: "        this.connSendWindow -= n;\n", replace: "" },
  { id: "goaway-last-stream-zero", stage: "http2/5", reading: "GOAWAY's stream id is the connection's, 0", file: "h2/connection.ts", find: "F.goawayPayload(this.lastStream, code, message)", replace: "F.goawayPayload(0, code, message)" },
  { id: "pong-empty", stage: "websocket/3", reading: "a pong is a bare reply", file: "websocket.ts", find: "return this.write(wsFrame(0xa, payload, this.o));", replace: "return this.write(wsFrame(0xa, Buffer.alloc(0), this.o));" },
  { id: "close-no-tcp-close", stage: "websocket/4", reading: "the close frame is enough; the client closes TCP", file: "websocket.ts", find: "    this.write(wsFrame(0x8, body, this.o));\n    this.end();", replace: "    this.write(wsFrame(0x8, body, this.o));" },
  { id: "xff-replaced", stage: "proxy/1", reading: "X-Forwarded-For is the client's address", file: "proxy/proxy.ts", find: 'fields = append(fields, "X-Forwarded-For", client);', replace: 'fields = [...fields.filter(([n]) => n.toLowerCase() !== "x-forwarded-for"), ["X-Forwarded-For", client]];' },
];

const USAGE = "usage: bun challenges/http/mutants.ts [--only=<id>] [--seed=<n>]";

function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({ args: Bun.argv.slice(2), strict: true, options: { only: { type: "string" }, seed: { type: "string" } } }));
  } catch (e) {
    console.error(`mutants: ${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const chosen = values.only ? MUTANTS.filter((m) => m.id === values.only) : MUTANTS;
  if (chosen.length === 0) {
    console.error(`mutants: no mutant ${values.only}\n${USAGE}`);
    process.exit(2);
  }
  return run(chosen, values.seed ?? "1");
}

async function run(mutants: Mutant[], seed: string): Promise<void> {
  const source = join(SOLUTIONS_DIR, "http");
  let killed = 0;
  const survivors: string[] = [];
  const stale: string[] = [];
  for (const m of mutants) {
    const dir = mkdtempSync(join(tmpdir(), `syscraft-http-mutant-${m.id}-`));
    try {
      cpSync(source, dir, { recursive: true });
      const file = join(dir, m.file);
      const text = readFileSync(file, "utf8");
      if (text.split(m.find).length !== 2) {
        stale.push(m.id);
        console.log(`stale     ${m.id}: its source text is not in solutions/http/${m.file} exactly once`);
        continue;
      }
      writeFileSync(file, text.replace(m.find, () => m.replace));
      const outcome = await runStagesInSubprocess({ selection: `--stage-only=http/${m.stage}`, flags: [`--impl=bun ${join(dir, "main.ts")}`, `--seed=${seed}`], stdio: "capture" });
      const failed = outcome.results.filter((r) => !r.ok);
      if (outcome.exitCode !== 0 && failed.length > 0) {
        killed++;
        console.log(`killed    ${m.id} (http/${m.stage}: ${failed[0]!.case})`);
      } else {
        survivors.push(m.id);
        console.log(`SURVIVED  ${m.id} (http/${m.stage}; reading: ${m.reading})`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const ran = mutants.length - stale.length;
  console.log(`\n${killed} of ${ran} mutants killed${survivors.length ? `; survived: ${survivors.join(", ")}` : ""}${stale.length ? `; stale: ${stale.join(", ")}` : ""}`);
}

if (import.meta.main) await main();
