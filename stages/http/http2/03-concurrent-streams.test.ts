import { startWithFiles } from "../../../harness/clients/http.ts";
import { h2load, h2url, nghttp } from "../../../challenges/http/clients/http2.ts";
import { encodeFrame, ErrorCode, errorName, FrameType, H2Client, Setting } from "../../../challenges/http/clients/http2-frames.ts";
import { stage } from "../../../harness/stage/define.ts";

const STREAMS = "Streams are independent (RFC 9113 §5): keep a table of open streams by id, feed each frame to its stream, and answer a stream as soon as its request is complete — whatever the other streams are doing. Every frame of a response carries the request's stream id.";
const LIMIT = "A limit you advertise with SETTINGS_MAX_CONCURRENT_STREAMS is enforced: a HEADERS frame that would open one stream more than that gets RST_STREAM with REFUSED_STREAM (RFC 9113 §5.1.2, §8.7), and the streams already open go on.";
const NOT_SERIAL = "Do not handle streams one at a time: a stream whose request body is still arriving (or whose response waits for flow-control window, or takes time to make) must not hold back the responses to other streams on the connection (RFC 9113 §5, §5.1.2).";

export default stage(import.meta, [
  {
    name: "nghttp -m 20: twenty concurrent requests on one connection",
    async run(t) {
      const server = await t.start();
      const word = t.rand.word();
      const r = await nghttp(t, ["-m", "20", h2url(server, `/echo/${word}`)]);
      if (r.code !== 0 || r.stdout !== word.repeat(20)) t.fail({ message: `nghttp -m 20 (20 concurrent streams for /echo/${word} on one connection) did not get 20 answers.`, expected: word.repeat(20), received: `${r.stdout || "(nothing)"}${r.code !== 0 ? `\nnghttp exit status ${r.code}: ${r.output.split("\n").slice(-4).join(" ")}` : ""}`, hint: STREAMS });
    },
  },
  {
    name: "h2load -c 1 -m 20: 200 requests, 20 at a time on one connection",
    async run(t) {
      const server = await t.start();
      const r = await h2load(t, ["-n", "200", "-c", "1", "-m", "20", h2url(server, `/echo/${t.rand.word()}`)]);
      if (r.status2xx !== 200) t.fail({ message: "h2load's 200 requests, 20 concurrent streams on one connection, did not all get a 2xx.", expected: "200 2xx", received: r.output.split("\n").filter((l) => /requests:|status codes:|error|GOAWAY/i.test(l)).join("\n") || `exit status ${r.code}`, hint: STREAMS });
    },
  },
  {
    name: "five streams opened in one write each get their own response",
    async run(t) {
      const server = await t.start();
      const h2 = await H2Client.open(t, server);
      await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      const ids = [1, 3, 5, 7, 9];
      const words = ids.map((id) => `${t.rand.word()}${id}`);
      await h2.send(...ids.map((id, i) => h2.get(id, `/echo/${words[i]}`)));
      const got = await h2.responses(ids, 3000);
      for (const [i, id] of ids.entries()) {
        const r = got.get(id)!;
        if (!r.complete) t.fail({ message: `No complete response on stream ${id} of five opened together (GET /echo/${words[i]}).`, expected: `a response on stream ${id}, ending with END_STREAM`, received: r.status ? `:status ${r.status}, ${r.body.length} bytes, no END_STREAM` : "nothing on that stream", hint: STREAMS });
        t.expectEqual(`stream ${id}: ${r.status} ${r.body.toString("latin1")}`, `stream ${id}: 200 ${words[i]}`, { message: `Wrong response on stream ${id} (each stream gets the answer to its own request).`, hint: STREAMS });
      }
    },
  },
  {
    name: "a stream whose request body is still arriving does not hold up another stream",
    async run(t) {
      const { server } = await startWithFiles(t);
      const name = `${t.rand.word()}.txt`;
      const [first, rest, word] = [`${t.rand.word()} `, `${t.rand.word()}\n`, t.rand.word()];
      const h2 = await H2Client.open(t, server);
      await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      t.log.note("stream 1: PUT with the first part of its body, not ended; stream 3: a GET");
      await h2.send(h2.get(1, `/files/${name}`, [["content-length", String(first.length + rest.length)]], "PUT", false), encodeFrame(FrameType.DATA, 0, 1, Buffer.from(first)), h2.get(3, `/echo/${word}`));
      const order: number[] = [];
      const r3 = (await h2.responses([3], 3000, { order })).get(3)!;
      if (!r3.complete) t.fail({ message: `Stream 3 (GET /echo/${word}) got no complete response within 3 s while stream 1's request body was still arriving: streams are being handled one at a time.`, expected: "a response on stream 3, ending with END_STREAM", received: r3.status ? `:status ${r3.status}, no END_STREAM` : "nothing on stream 3", hint: NOT_SERIAL });
      t.expectEqual(`${r3.status} ${r3.body.toString("latin1")}`, `200 ${word}`, { message: "Wrong response on stream 3.", hint: STREAMS });
      t.log.note("now the rest of stream 1's body, with END_STREAM");
      await h2.send(encodeFrame(FrameType.DATA, 0x1, 1, Buffer.from(rest)));
      const r1 = (await h2.responses([1], 3000)).get(1)!;
      if (!r1.complete || r1.status !== 201) t.fail({ message: `Stream 1 (PUT /files/${name}) should be answered 201 Created once its body is complete.`, expected: ":status 201", received: r1.status ? `:status ${r1.status}${r1.complete ? "" : ", no END_STREAM"}` : "nothing on stream 1", hint: "PUT /files/<name> stores the body under --directory, like POST in stage 5, and answers 201 Created (RFC 9110 §9.3.4)." });
    },
  },
  {
    name: "a stream beyond the advertised SETTINGS_MAX_CONCURRENT_STREAMS gets RST_STREAM with REFUSED_STREAM",
    async run(t) {
      const { server } = await startWithFiles(t);
      const h2 = await H2Client.open(t, server);
      const settings = await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      const limit = settings.find(([id]) => id === Setting.MAX_CONCURRENT_STREAMS)?.[1];
      if (limit === undefined || limit > 1000) {
        t.log.note(`the server advertises ${limit === undefined ? "no SETTINGS_MAX_CONCURRENT_STREAMS (no limit)" : `SETTINGS_MAX_CONCURRENT_STREAMS ${limit}`}: no stream can be over it here, nothing to refuse`);
        return;
      }
      t.log.note(`the server advertises SETTINGS_MAX_CONCURRENT_STREAMS ${limit}: ${limit} PUTs whose bodies have not come keep ${limit} streams open, then one more HEADERS`);
      const name = t.rand.word();
      const opens = Array.from({ length: limit + 1 }, (_, i) => h2.get(2 * i + 1, `/files/${name}-${i}`, [], "PUT", false));
      await h2.send(...opens);
      const extra = 2 * limit + 1;
      let reset: number | undefined;
      await h2.until((f) => {
        if (f.type === FrameType.RST_STREAM && f.payload.length === 4) {
          if (f.stream === extra) reset = f.payload.readUInt32BE(0);
          else t.fail({ message: `The server reset stream ${f.stream}, one of the first ${limit} (within its advertised limit).`, expected: `RST_STREAM only on stream ${extra}`, received: `RST_STREAM on stream ${f.stream}, ${errorName(f.payload.readUInt32BE(0))}`, hint: LIMIT });
        }
        return reset !== undefined || f.type === FrameType.GOAWAY;
      }, 2000);
      if (reset !== ErrorCode.REFUSED_STREAM) t.fail({ message: `Stream ${extra} opened a stream beyond the ${limit} you advertised in SETTINGS_MAX_CONCURRENT_STREAMS while ${limit} were open; it should be refused.`, expected: `RST_STREAM on stream ${extra}, REFUSED_STREAM`, received: reset !== undefined ? `RST_STREAM ${errorName(reset)}` : "no RST_STREAM on it within 2 s", hint: LIMIT });
    },
  },
]);
