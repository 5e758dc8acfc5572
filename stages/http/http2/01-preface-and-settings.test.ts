import { baseUrl, curl, expectBody, expectStatus, HttpConnection, rawRequest, startWithFiles } from "../../../harness/clients/http.ts";
import { curlH2, h2url } from "../../../challenges/http/clients/http2.ts";
import { describe, field, Flag, FrameType, H2Client, PREFACE as PREFACE_OCTETS, Setting, settingsFrame } from "../../../challenges/http/clients/http2-frames.ts";
import { stage } from "../../../harness/stage/define.ts";

const PREFACE = "A client with prior knowledge opens with the 24 octets `PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n` and a SETTINGS frame. Detect those octets at the start of a connection and speak HTTP/2 on it: your first frame is a SETTINGS frame of your own (possibly empty) on stream 0 (RFC 9113 §3.4); any other first bytes are HTTP/1.1 as before.";
const ACK = "Every SETTINGS frame the peer sends without the ACK flag gets a SETTINGS frame back with the ACK flag (0x1) and an empty payload, as soon as you have applied its values (RFC 9113 §6.5.3).";
const RESPONSE = "Answer a request (a HEADERS frame with END_STREAM on an odd stream) with a HEADERS frame holding `:status` (HPACK-encoded; a literal without indexing is the simplest), then the body in DATA frames, the last one with END_STREAM — or END_STREAM on the HEADERS frame if there is no body (RFC 9113 §8.1).";
const LOWERCASE = "Field names in HTTP/2 are lowercase (RFC 9113 §8.2.1): a name with an upper-case letter makes the response malformed, and clients such as curl and nghttp reject it. Send `content-type`, not `Content-Type`.";
const WAIT_FOR_24 = "TCP may deliver the preface in pieces: decide HTTP/2 only once you hold all 24 octets, and HTTP/1.1 as soon as a byte differs from the preface (RFC 9113 §3.4). A first read of `PRI * HTTP` is not yet an answer either way; a first read of `P` neither.";
const SAME_PORT = "The port still speaks HTTP/1.1 to clients that do not start with the HTTP/2 preface: look at the first bytes of each connection.";

export default stage(import.meta, [
  {
    name: "curl --http2-prior-knowledge gets HTTP/2 200 and the body",
    async run(t) {
      const server = await t.start();
      const word = t.rand.word();
      const { responses } = await curlH2(t, [h2url(server, `/echo/${word}`)], { message: `curl --http2-prior-knowledge could not GET /echo/${word}.`, hint: PREFACE });
      const r = responses[0]!;
      t.expectEqual(`HTTP/${r.version} ${r.status}`, "HTTP/2 200", { message: `curl --http2-prior-knowledge should get an HTTP/2 200 for /echo/${word}.`, hint: PREFACE });
      t.expectEqual(r.body.toString("latin1"), word, { message: `Wrong body for /echo/${word} over HTTP/2.`, hint: RESPONSE });
    },
  },
  {
    name: "the server's first frame is SETTINGS, and it acknowledges the client's SETTINGS",
    async run(t) {
      const server = await t.start();
      const h2 = await H2Client.open(t, server, { settings: [[Setting.MAX_CONCURRENT_STREAMS, 100], [Setting.INITIAL_WINDOW_SIZE, 65535]] });
      await h2.serverPreface({ message: "The server's first frame on an HTTP/2 connection must be a SETTINGS frame.", hint: PREFACE });
      let ack = false;
      const seen: string[] = [];
      await h2.until((f) => {
        seen.push(describe(f));
        ack = f.type === FrameType.SETTINGS && (f.flags & Flag.ACK) !== 0;
        if (ack && (f.stream !== 0 || f.length !== 0)) t.fail({ message: "A SETTINGS ACK must be on stream 0 with an empty payload.", expected: "SETTINGS stream 0 <ACK> length 0", received: describe(f), hint: ACK });
        return ack;
      }, 2000);
      if (!ack) t.fail({ message: "The server never acknowledged the client's SETTINGS frame (no SETTINGS with the ACK flag within 2 s).", expected: "SETTINGS stream 0 <ACK> length 0", received: seen.join("\n") || (h2.closed ? "the connection was closed" : "no frame"), hint: ACK });
    },
  },
  {
    name: "a GET on stream 1 is answered with HEADERS (:status 200) and DATA ending the stream",
    async run(t) {
      const server = await t.start();
      const word = t.rand.word();
      const h2 = await H2Client.open(t, server);
      await h2.serverPreface({ message: "The server's first frame on an HTTP/2 connection must be a SETTINGS frame.", hint: PREFACE });
      await h2.send(h2.get(1, `/echo/${word}`));
      const r = (await h2.responses([1], 3000)).get(1)!;
      if (!r.complete) t.fail({ message: `No complete response on stream 1 to GET /echo/${word} within 3 s (HEADERS, then DATA with END_STREAM).`, expected: "HEADERS on stream 1, then DATA with END_STREAM", received: r.status ? `:status ${r.status} and ${r.body.length} bytes, without END_STREAM` : "no HEADERS on stream 1", hint: RESPONSE });
      if (r.reset !== undefined) t.fail({ message: `The server reset stream 1 instead of answering GET /echo/${word}.`, hint: RESPONSE });
      t.expectEqual(`:status ${field(r.fields, ":status") ?? "(none)"}`, ":status 200", { message: `The HEADERS frame answering GET /echo/${word} should hold :status 200.`, hint: RESPONSE });
      t.expectEqual(r.body.toString("latin1"), word, { message: `The DATA frames on stream 1 should hold the body of /echo/${word}.`, hint: RESPONSE });
      const upper = r.fields.filter(([n]) => n !== n.toLowerCase()).map(([n]) => n);
      if (upper.length > 0) t.fail({ message: "The response's header block has field names with upper-case letters.", expected: "lowercase field names", received: upper.join(", "), hint: LOWERCASE });
    },
  },
  {
    name: "HTTP/1.1 still works on the same port",
    async run(t) {
      const server = await t.start();
      const word = t.rand.word();
      const { responses } = await curl(t, [`${baseUrl(server)}/echo/${word}`], { message: "curl (HTTP/1.1) could not GET a URL from the same port.", hint: SAME_PORT });
      expectStatus(responses[0]!, 200, { message: "An HTTP/1.1 request on the same port should still be answered.", hint: SAME_PORT });
      expectBody(responses[0]!, word, { message: `Wrong body for an HTTP/1.1 GET /echo/${word}.`, hint: SAME_PORT });
    },
  },
  {
    name: "a preface split across reads is still HTTP/2; an HTTP/1.1 request whose first read is one byte is still HTTP/1.1",
    async run(t) {
      const { server } = await startWithFiles(t);
      const word = t.rand.word();
      const h2 = await H2Client.open(t, server, { preface: false });
      await h2.sendRaw(PREFACE_OCTETS.slice(0, 10), "the first 10 octets of the preface");
      await Bun.sleep(100);
      await h2.sendRaw(PREFACE_OCTETS.slice(10), "100 ms later, the other 14");
      await h2.send(settingsFrame());
      await h2.serverPreface({ message: "After a preface that came in two pieces (10 octets, then 14), the server's first frame must be SETTINGS.", hint: WAIT_FOR_24 });
      await h2.send(h2.get(1, `/echo/${word}`));
      const r = (await h2.responses([1], 3000)).get(1)!;
      t.expectEqual(`:status ${r.status} ${r.body.toString("latin1")}`, `:status 200 ${word}`, { message: `GET /echo/${word} on a connection whose preface came in two pieces should be answered.`, hint: WAIT_FOR_24 });
      const name = `${t.rand.word()}.txt`;
      const body = `${t.rand.word()} ${t.rand.int(0, 9999)}\n`;
      const request = rawRequest("PUT", `/files/${name}`, [["Connection", "close"]], body);
      const conn = await HttpConnection.open(t, server, "HTTP/1.1 client");
      t.log.note("an HTTP/1.1 PUT whose first read is the single byte P (as in PRI), the rest 100 ms later");
      await conn.send([request.slice(0, 1), request.slice(1)], 100);
      const got = await conn.response({ message: `No response to an HTTP/1.1 PUT /files/${name} whose first byte came alone.`, hint: WAIT_FOR_24 });
      expectStatus(got, 201, { message: `An HTTP/1.1 PUT /files/${name} whose first read was "P" should be answered 201 Created.`, hint: WAIT_FOR_24 });
    },
  },
]);
