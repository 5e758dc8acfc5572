import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { baseUrl, curl, expectBody, expectHeader, expectStatus, HttpConnection, rawRequest, startWithFiles } from "../../harness/clients/http.ts";
import { visible } from "../../harness/report/show.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const SAVE = "For POST /files/<name>, read the body and write it to <name> in the --directory, then answer 201 Created.";
const LENGTH = "With Content-Length: n, the body is exactly the n bytes after the empty line (RFC 9112 §6.3): they may arrive in several reads, and the bytes after them are the next request.";
const CHUNKED = "With Transfer-Encoding: chunked the body comes in chunks (RFC 9112 §7.1): a line with the chunk's size in hexadecimal, upper or lower case (1A or 1a), maybe followed by ;extensions that you ignore (5;ext=1), \\r\\n, that many bytes, \\r\\n; a chunk of size 0 ends the body, after optional trailer lines and an empty line. Join the chunks' data.";
const NO_BODY = "A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 §6.3): the next request starts right after its empty line. Do not wait for a body, nor for the connection to close.";
const SERVE = "GET /files/<name> answers 200 with the file's bytes and Content-Type: application/octet-stream; 404 if there is no such file.";

function content(t: CaseContext): string {
  return Array.from({ length: t.rand.int(3, 8) }, () => `${t.rand.word()} ${t.rand.word()} ${t.rand.int(0, 99999)}`).join("\n") + "\n";
}

function expectSaved(t: CaseContext, dir: string, name: string, want: string, hint: string): void {
  const file = join(dir, name);
  if (!existsSync(file)) t.fail({ message: `After the POST, there is no file ${name} in the --directory (${dir}).`, hint: SAVE });
  t.expectEqual(visible(readFileSync(file, "latin1")), visible(want), { message: `The file ${name} in the --directory does not hold the body that was POSTed.`, hint });
}

export default stage(import.meta, [
  {
    name: "curl POSTs a file with Content-Length: 201, saved, and GET returns it",
    async run(t) {
      const { server, dir } = await startWithFiles(t);
      const name = `${t.rand.word()}-${t.rand.int(1, 999)}.txt`;
      const body = content(t);
      const { responses } = await curl(t, ["--data-binary", "@-", `${baseUrl(server)}/files/${name}`], { message: `curl could not POST /files/${name}.`, hint: SAVE }, { stdin: body });
      expectStatus(responses[0]!, 201, { message: `POST /files/${name} should answer 201 Created.`, hint: SAVE });
      expectSaved(t, dir, name, body, LENGTH);
      const got = (await curl(t, [`${baseUrl(server)}/files/${name}`], { message: `curl could not GET /files/${name}.`, hint: SERVE })).responses[0]!;
      expectStatus(got, 200, { message: `GET /files/${name} of a file that exists should answer 200.`, hint: SERVE });
      expectHeader(got, "Content-Type", "application/octet-stream", { message: "Files are served as application/octet-stream.", hint: SERVE });
      expectBody(got, body, { message: `GET /files/${name} should return the file's bytes.`, hint: SERVE });
      // A second POST to the same name: the file becomes the new body (shorter than the first), not the two joined.
      const again = `${t.rand.word()} ${t.rand.int(0, 99)}\n`;
      const second = await curl(t, ["--data-binary", "@-", `${baseUrl(server)}/files/${name}`], { message: `curl could not POST /files/${name} a second time.`, hint: SAVE }, { stdin: again });
      expectStatus(second.responses[0]!, 201, { message: `A second POST /files/${name} should answer 201 Created too.`, hint: SAVE });
      expectSaved(t, dir, name, again, `${SAVE} A POST to a name that exists replaces the file: afterwards it holds the new body, byte for byte, and nothing of the old one (write, do not append).`);
    },
  },
  {
    name: "GET /files/<name> returns a file that is there, and 404 for one that is not",
    async run(t) {
      const name = `${t.rand.word()}.bin`;
      const body = content(t);
      const { server } = await startWithFiles(t, { [name]: body });
      const got = (await curl(t, [`${baseUrl(server)}/files/${name}`], { message: `curl could not GET /files/${name}.`, hint: SERVE })).responses[0]!;
      expectStatus(got, 200, { message: `GET /files/${name} of a file that exists should answer 200.`, hint: SERVE });
      expectBody(got, body, { message: `GET /files/${name} should return the file's bytes.`, hint: SERVE });
      const missing = `${t.rand.word()}-missing-${t.rand.int(1, 999)}`;
      const r = (await curl(t, [`${baseUrl(server)}/files/${missing}`], { message: `curl could not GET /files/${missing}.`, hint: SERVE })).responses[0]!;
      expectStatus(r, 404, { message: `GET /files/${missing} of a file that does not exist should answer 404.`, hint: SERVE });
    },
  },
  {
    name: "curl POSTs a file with Transfer-Encoding: chunked",
    async run(t) {
      const { server, dir } = await startWithFiles(t);
      const name = `${t.rand.word()}-chunked.txt`;
      const body = content(t);
      const { responses } = await curl(t, ["-H", "Transfer-Encoding: chunked", "--data-binary", "@-", `${baseUrl(server)}/files/${name}`], { message: `curl could not POST /files/${name} with a chunked body.`, hint: CHUNKED }, { stdin: body });
      expectStatus(responses[0]!, 201, { message: `POST /files/${name} with a chunked body should answer 201 Created.`, hint: CHUNKED });
      expectSaved(t, dir, name, body, CHUNKED);
    },
  },
  {
    name: "a chunked body in several chunks and pieces, then a GET on the same connection",
    async run(t) {
      const { server, dir } = await startWithFiles(t);
      const name = `${t.rand.word()}-pieces.txt`;
      // The middle chunk has 10 to 15 bytes, so its size is one letter, A to F, in uppercase: in every run.
      const parts = [content(t), t.rand.word().repeat(5).slice(0, t.rand.int(10, 15)), content(t).repeat(12)];
      const chunks = parts.map((p, i) => `${Buffer.byteLength(p, "latin1").toString(16).toUpperCase()}${i === 1 ? ";ext=1" : ""}\r\n${p}\r\n`).join("");
      const head = rawRequest("POST", `/files/${name}`, [["Transfer-Encoding", "chunked"]]);
      const conn = await HttpConnection.open(t, server);
      t.log.note("a POST with three chunks (sizes in uppercase hex, one with a chunk extension) and a trailer field, sent in pieces, then a GET of the same file");
      // A trailer field after the last chunk, every run (RFC 9112 §7.1.2): it ends at the empty line.
      const all = `${head}${chunks}0\r\nX-Checksum: ${t.rand.word()}\r\n\r\n${rawRequest("GET", `/files/${name}`)}`;
      const cuts = [head.length - 2, head.length + 5, head.length + chunks.length - 3];
      // A program that refuses the body (400) and closes before the last piece: its answer is what the report shows.
      await conn.send([all.slice(0, cuts[0]), all.slice(cuts[0], cuts[1]), all.slice(cuts[1], cuts[2]), all.slice(cuts[2])]).catch((e) => {
        if (!conn.closed) throw e;
      });
      const posted = await conn.response({ message: `No response to a POST /files/${name} with a chunked body.`, hint: CHUNKED });
      const sizes = [...chunks.matchAll(/(?:^|\r\n)([0-9A-F]+(?:;ext=1)?)\r\n/g)].map((m) => m[1]).join(", ");
      expectStatus(posted, 201, { message: `POST /files/${name} with a chunked body (chunk size lines ${sizes}: uppercase hex, one with an extension) should answer 201 Created.`, hint: CHUNKED });
      const got = await conn.response({ message: `No response to the GET /files/${name} sent after a chunked POST on the same connection.`, hint: `${CHUNKED} The last chunk (0) may be followed by trailer lines; the request after the chunked body starts right after the empty line that ends them.` });
      expectStatus(got, 200, { message: `GET /files/${name} after the chunked POST (whose last chunk was followed by a trailer field, X-Checksum) should answer 200.`, hint: `${CHUNKED} The last chunk may be followed by trailer lines; the request after the chunked body starts right after the empty line that ends them.` });
      expectBody(got, parts.join(""), { message: "The file saved from a chunked body should be the chunks' data joined, without sizes or \\r\\n.", hint: CHUNKED });
      expectSaved(t, dir, name, parts.join(""), CHUNKED);
    },
  },
  {
    name: "a Content-Length body that looks like a request is read as body, and the next request is answered",
    async run(t) {
      const { server, dir } = await startWithFiles(t);
      const name = `${t.rand.word()}-request.txt`;
      const word = t.rand.word();
      // Byte for byte: after the text, bytes that are not UTF-8 (a lone continuation byte, 0xff, 0xfe, random bytes of 0x80-0xff), a NUL and a CRLF, in every run (sent as latin1: one byte each).
      const high = Array.from({ length: t.rand.int(4, 12) }, () => String.fromCharCode(t.rand.int(0x80, 0xff))).join("");
      const body = `GET /echo/not-a-request HTTP/1.1\r\nHost: x\r\n\r\n${content(t)}\x80\xff\xfe\x00\r\n${high}`;
      const conn = await HttpConnection.open(t, server);
      await conn.send([rawRequest("POST", `/files/${name}`, [], body).slice(0, 90), rawRequest("POST", `/files/${name}`, [], body).slice(90) + rawRequest("GET", `/echo/${word}`)]);
      const posted = await conn.response({ message: `No response to a POST /files/${name} with Content-Length: ${Buffer.byteLength(body, "latin1")}.`, hint: LENGTH });
      expectStatus(posted, 201, { message: `POST /files/${name} should answer 201 Created.`, hint: LENGTH });
      const next = await conn.response({ message: `No response to the GET /echo/${word} sent right after the POST's body.`, hint: LENGTH });
      expectBody(next, word, { message: `The request after the POST's body is GET /echo/${word}; its response came out wrong, so the body's bytes were read as requests.`, hint: LENGTH });
      expectSaved(t, dir, name, body, `${LENGTH} Save the body's bytes as they came: a body need not be text (never decode it as UTF-8).`);
    },
  },
  {
    name: "a POST with neither Content-Length nor Transfer-Encoding has no body",
    async run(t) {
      const { server, dir } = await startWithFiles(t);
      const name = `${t.rand.word()}-empty.txt`;
      const word = t.rand.word();
      const conn = await HttpConnection.open(t, server);
      t.log.note("a POST without Content-Length or Transfer-Encoding, and a GET right behind it in the same write");
      await conn.send(rawRequest("POST", `/files/${name}`) + rawRequest("GET", `/echo/${word}`));
      const posted = await conn.response({ message: `No response within 2 s to a POST /files/${name} with neither Content-Length nor Transfer-Encoding.`, hint: NO_BODY }, { timeoutMs: 2000 });
      expectStatus(posted, 201, { message: `POST /files/${name} without a body should answer 201 Created.`, hint: NO_BODY });
      const next = await conn.response({ message: `No response to the GET /echo/${word} sent right behind the bodiless POST.`, hint: NO_BODY }, { timeoutMs: 2000 });
      expectBody(next, word, { message: `The request after a bodiless POST is GET /echo/${word}; it was not answered right.`, hint: NO_BODY });
      expectSaved(t, dir, name, "", NO_BODY);
    },
  },
]);
