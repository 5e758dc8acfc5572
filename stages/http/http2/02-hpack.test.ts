import { h2load, h2url, nghttp } from "../../../challenges/http/clients/http2.ts";
import { dataPayload, describe, encodeFrame, ErrorCode, errorName, Flag, FrameType, H2Client, Setting, type H2Response } from "../../../challenges/http/clients/http2-frames.ts";
import type { HeaderField } from "../../../challenges/http/clients/http2-hpack.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { stage } from "../../../harness/stage/define.ts";

const DYNAMIC = "HPACK's dynamic table lives as long as the connection (RFC 7541 §2.3.2): every literal with incremental indexing (first bits 01) is added at index 62, pushing older entries up and evicting the oldest beyond the table size (§4.4). Keep one decoder per connection, not per request: later header blocks refer to entries earlier ones added.";
const HUFFMAN = "A string whose length octet has its high bit (H) set is Huffman-coded with the code of RFC 7541 Appendix B; the last byte is padded with 1 bits (the start of EOS), at most 7 (§5.2).";
const SIZE_UPDATE = "A header block may start with dynamic table size updates (first bits 001, §6.3): set the table's maximum to that value (at most your SETTINGS_HEADER_TABLE_SIZE, 4096 by default), evicting entries that no longer fit (§4.3).";
const TABLE_SIZE = "Your encoder's dynamic table may be at most the client's SETTINGS_HEADER_TABLE_SIZE (4096 by default). When the client lowers it, start your next header block with a dynamic table size update to that size or less, evicting entries, and never refer to an entry beyond it (RFC 7541 §4.2, RFC 9113 §6.5.2). An encoder that uses no dynamic table at all (only static indexes and literals) is valid too.";
const EVICTION = "An entry's size is the length of its name plus the length of its value plus 32 octets of overhead (RFC 7541 §4.1). Adding an entry evicts the oldest entries until the table's size is at most its maximum (§4.4); an entry that fits exactly stays. An index past the last entry still in the table is a decoding error: a connection error of type COMPRESSION_ERROR (RFC 7541 §2.3.3, RFC 9113 §4.3).";
const CONTINUATION = "A header block too big for one frame continues in CONTINUATION frames (type 0x9) on the same stream; the last one has END_HEADERS. Collect the fragments, then decode the whole block once (RFC 9113 §6.10, §4.3).";

function expectBody(t: CaseContext, r: H2Response & { complete: boolean }, want: string, what: string, hint: string): void {
  if (!r.complete || r.reset !== undefined) t.fail({ message: `No complete response on stream ${r.stream} (${what}).`, expected: `HEADERS and DATA on stream ${r.stream}, ending with END_STREAM`, received: r.reset !== undefined ? `RST_STREAM on stream ${r.stream}` : r.status ? `:status ${r.status}, no END_STREAM` : "nothing on that stream (see the frames above: a GOAWAY says why)", hint });
  t.expectEqual(`:status ${r.status} ${r.body.toString("latin1")}`, `:status 200 ${want}`, { message: `Wrong response on stream ${r.stream} (${what}).`, hint });
}

/** Reads the responses on `streams`; if the server ends the connection instead, says so with its GOAWAY. */
async function read(t: CaseContext, h2: H2Client, streams: number[], what: string, hint: string): Promise<Map<number, H2Response & { complete: boolean }>> {
  const got = await h2.responses(streams, 3000);
  const goaway = h2.received.find((f) => f.type === FrameType.GOAWAY);
  if ([...got.values()].some((r) => !r.complete) && goaway) t.fail({ message: `The server ended the connection instead of answering ${what}.`, expected: "a response", received: describe(goaway), hint });
  return got;
}

export default stage(import.meta, [
  {
    name: "a second request whose header block refers to dynamic table entries the first one added",
    async run(t) {
      const server = await t.start();
      const [ua1, ua2] = [`${t.rand.word()}/${t.rand.int(1, 9)}.${t.rand.int(0, 99)}`, `${t.rand.word()}-agent`];
      const h2 = await H2Client.open(t, server);
      await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      const e = h2.encoder;
      t.log.note("stream 1: a table size update to 256, then literals with incremental indexing, Huffman-coded strings, one never-indexed field");
      const block1 = Buffer.concat([
        e.sizeUpdate(256),
        e.indexed(2), // :method GET
        e.indexed(6), // :scheme http
        e.literal([":path", "/user-agent"], { huffman: true, representation: "incremental" }),
        e.literal([":authority", "127.0.0.1"], { huffman: true, representation: "incremental" }),
        e.literal(["user-agent", ua1], { huffman: true, representation: "incremental" }),
        e.literal(["x-secret", t.rand.word()], { huffman: true, representation: "never-indexed" }),
      ]);
      await h2.send(encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1, block1));
      expectBody(t, (await read(t, h2, [1], "GET /user-agent with Huffman-coded literals", HUFFMAN)).get(1)!, ua1, "GET /user-agent, Huffman-coded literals with incremental indexing", HUFFMAN);
      t.log.note("stream 3: the same request as indexed fields only: 62 = user-agent, 63 = :authority, 64 = :path (dynamic table, newest first)");
      const block2 = Buffer.concat([e.indexed(2), e.indexed(6), e.indexed(64), e.indexed(63), e.indexed(62)]);
      await h2.send(encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 3, block2));
      expectBody(t, (await read(t, h2, [3], "a request whose header block refers to dynamic table entries added by the first request", DYNAMIC)).get(3)!, ua1, "the second request on the connection, which refers to entries added by the first", DYNAMIC);
      t.log.note("stream 5: user-agent as a literal with a static name (58) and incremental indexing, then stream 7 refers to it as 62");
      await h2.send(encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 5, Buffer.concat([e.indexed(2), e.indexed(6), e.indexed(64), e.indexed(63), Buffer.from([0x40 | 58]), Buffer.from([ua2.length]), Buffer.from(ua2)])));
      expectBody(t, (await read(t, h2, [5], "a literal with an indexed name", DYNAMIC)).get(5)!, ua2, "user-agent as a literal whose name is static index 58", DYNAMIC);
      await h2.send(encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 7, Buffer.concat([e.indexed(2), e.indexed(6), e.indexed(65), e.indexed(64), e.indexed(62)])));
      expectBody(t, (await read(t, h2, [7], "a request referring to the newest dynamic entry", DYNAMIC)).get(7)!, ua2, "index 62 is now the newest entry, user-agent: " + ua2, DYNAMIC);
    },
  },
  {
    name: "a dynamic table size update to 0 empties the table",
    async run(t) {
      const server = await t.start();
      const ua = t.rand.word();
      const h2 = await H2Client.open(t, server);
      await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      const e = h2.encoder;
      const fields: HeaderField[] = [[":method", "GET"], [":scheme", "http"], [":path", "/user-agent"], [":authority", "127.0.0.1"]];
      await h2.send(encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1, Buffer.concat([...fields.map((f) => e.literal(f, { representation: "incremental" })), e.literal(["user-agent", "first"], { representation: "incremental" })])));
      expectBody(t, (await read(t, h2, [1], "the first request", DYNAMIC)).get(1)!, "first", "literals with incremental indexing", DYNAMIC);
      t.log.note("stream 3: size update to 0 (evicts everything), back to 4096, then new literals: index 62 is the new user-agent");
      await h2.send(encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 3, Buffer.concat([e.sizeUpdate(0), e.sizeUpdate(4096), ...fields.map((f) => e.literal(f)), e.literal(["user-agent", ua], { representation: "incremental" })])));
      expectBody(t, (await read(t, h2, [3], "a header block starting with two table size updates", SIZE_UPDATE)).get(3)!, ua, "two table size updates, then literals", SIZE_UPDATE);
      await h2.send(encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 5, Buffer.concat([...fields.map((f) => e.literal(f)), e.indexed(62)])));
      expectBody(t, (await read(t, h2, [5], "a request referring to index 62 after the table was emptied", SIZE_UPDATE)).get(5)!, ua, "index 62 after the size update to 0: the only entry added since", SIZE_UPDATE);
    },
  },
  {
    name: "entries are sized with 32 octets of overhead: an exact fit stays, the next entry evicts the oldest",
    async run(t) {
      const server = await t.start();
      // Sizes fixed on every seed: a 100-octet table holds two 50-octet entries exactly (name + value + 32); a third evicts the oldest.
      const fixed = (n: number) => (t.rand.word() + "abcdefghijklmnop").slice(0, n);
      const pad = fixed(13); // "x-pad" 5 + 13 + 32 = 50
      const [ua1, ua2] = [fixed(7) + "1", fixed(7) + "2"]; // "user-agent" 10 + 8 + 32 = 50
      const h2 = await H2Client.open(t, server);
      await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      const e = h2.encoder;
      const request = (...rest: Buffer[]) => Buffer.concat([e.indexed(2), e.indexed(6), e.literal([":path", "/user-agent"]), e.literal([":authority", "127.0.0.1"]), ...rest]);
      const ua0 = fixed(7) + "0";
      t.log.note("stream 1: a first entry (user-agent, 50 octets with the overhead) in the default 4096-octet table");
      await h2.send(encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1, request(e.literal(["user-agent", ua0], { representation: "incremental" }))));
      expectBody(t, (await read(t, h2, [1], "a first request with a literal with incremental indexing", DYNAMIC)).get(1)!, ua0, "a first entry in the dynamic table", DYNAMIC);
      t.log.note("stream 3: size update to 100, then x-pad (50) and user-agent (50): the first entry is evicted, the table is exactly full");
      await h2.send(encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 3, Buffer.concat([e.sizeUpdate(100), request(e.literal(["x-pad", pad], { representation: "incremental" }), e.literal(["user-agent", ua1], { representation: "incremental" }))])));
      expectBody(t, (await read(t, h2, [3], "a request filling a 100-octet table exactly", EVICTION)).get(3)!, ua1, "two 50-octet entries in a 100-octet table", EVICTION);
      t.log.note("stream 5: 62 = user-agent, 63 = x-pad: both still in the table (an exact fit evicts nothing)");
      await h2.send(encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 5, request(e.indexed(63), e.indexed(62))));
      expectBody(t, (await read(t, h2, [5], "a request referring to both entries of a table filled exactly", EVICTION)).get(5)!, ua1, "indexes 62 and 63 of a table holding exactly 100 octets", EVICTION);
      t.log.note("stream 7: a third 50-octet entry (user-agent) evicts the oldest, x-pad: now 62 = the new user-agent, 63 = the first");
      await h2.send(encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 7, request(e.literal(["user-agent", ua2], { representation: "incremental" }))));
      expectBody(t, (await read(t, h2, [7], "a request adding a third entry", EVICTION)).get(7)!, ua2, "a third 50-octet entry", EVICTION);
      await h2.send(encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 9, request(e.indexed(63))));
      expectBody(t, (await read(t, h2, [9], "a request referring to index 63 after the eviction", EVICTION)).get(9)!, ua1, "index 63 after the eviction: the first user-agent", EVICTION);
      t.log.note("stream 11: index 64 would be x-pad, which the third entry evicted: a decoding error, COMPRESSION_ERROR");
      await h2.send(encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 11, request(e.indexed(64))));
      let got: { code: number } | undefined;
      let answered = false;
      let ended = false;
      const body: Buffer[] = [];
      // Read the answer to stream 11 whole, if there is one: its body tells which field index 64 was read as.
      await h2.until((f) => {
        if (f.type === FrameType.GOAWAY && f.payload.length >= 8) got = { code: f.payload.readUInt32BE(4) };
        if (f.stream === 11 && f.type === FrameType.HEADERS) answered = true;
        if (f.stream === 11 && f.type === FrameType.DATA) body.push(dataPayload(f));
        if (f.stream === 11 && (f.type === FrameType.HEADERS || f.type === FrameType.DATA) && f.flags & Flag.END_STREAM) ended = true;
        return got !== undefined || ended;
      }, 3000);
      // x-pad still in the table (no user-agent in the request): an entry counted without its overhead; the first user-agent (index 63, the last entry): the index clamped to the table's end.
      const why = Buffer.concat(body).toString() === ua1 ? `, but it answered with ${JSON.stringify(ua1)}, the value at index 63: it read an index past the dynamic table's last entry as that last entry instead of failing` : ", but it answered the request (an entry counted without its 32 octets of overhead stays too long)";
      if (got?.code !== ErrorCode.COMPRESSION_ERROR) t.fail({ message: `Index 64 refers to x-pad, which adding a third 50-octet entry to a 100-octet table evicted; the server should end the connection with COMPRESSION_ERROR${answered ? why : ""}.`, expected: "GOAWAY COMPRESSION_ERROR", received: got ? `GOAWAY ${errorName(got.code)}` : answered ? "a response on stream 11" : h2.closed ? "the connection closed without GOAWAY" : "no GOAWAY within 3 s", hint: EVICTION });
    },
  },
  {
    name: "with SETTINGS_HEADER_TABLE_SIZE 0, the server's header blocks use no dynamic table",
    async run(t) {
      const server = await t.start();
      const h2 = await H2Client.open(t, server, { settings: [[Setting.HEADER_TABLE_SIZE, 0]] });
      await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      t.log.note("the client's SETTINGS_HEADER_TABLE_SIZE is 0: its decoder keeps no dynamic table, so the server's blocks may not refer to one");
      h2.decoder.table.setMax(0);
      for (const id of [1, 3, 5]) {
        const word = `${t.rand.word()}${id}`;
        await h2.send(h2.get(id, `/echo/${word}`));
        expectBody(t, (await read(t, h2, [id], `request ${(id + 1) / 2} of 3 with a 0-byte table`, TABLE_SIZE)).get(id)!, word, `request ${(id + 1) / 2} of 3, the client's table size 0`, TABLE_SIZE);
      }
    },
  },
  {
    name: "a header block split across HEADERS and CONTINUATION frames",
    async run(t) {
      const server = await t.start();
      const ua = `${t.rand.word()} ${"x".repeat(t.rand.int(100, 200))}`;
      const h2 = await H2Client.open(t, server);
      await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      const block = h2.encoder.plain([[":method", "GET"], [":scheme", "http"], [":path", "/user-agent"], [":authority", "127.0.0.1"], ["user-agent", ua]]);
      const cut1 = 10;
      const cut2 = block.length - 20;
      await h2.send(encodeFrame(FrameType.HEADERS, Flag.END_STREAM, 1, block.subarray(0, cut1)), encodeFrame(FrameType.CONTINUATION, 0, 1, block.subarray(cut1, cut2)), encodeFrame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, block.subarray(cut2)));
      expectBody(t, (await read(t, h2, [1], "a header block in three frames", CONTINUATION)).get(1)!, ua, "HEADERS + CONTINUATION + CONTINUATION with END_HEADERS", CONTINUATION);
    },
  },
  {
    name: "nghttp's requests on one connection (its HPACK encoder indexes and Huffman-codes)",
    async run(t) {
      const server = await t.start();
      const ua = `${t.rand.word()}/${t.rand.int(1, 9)}`;
      const urls = [1, 2, 3].map((i) => h2url(server, `/user-agent?n=${i}`));
      const r = await nghttp(t, ["-H", `user-agent: ${ua}`, "-H", `x-${t.rand.word()}: ${t.rand.word()}`, ...urls]);
      const want = ua.repeat(3);
      if (r.code !== 0 || r.stdout !== want) t.fail({ message: "nghttp could not fetch /user-agent three times on one connection (its header blocks after the first refer to the dynamic table).", expected: want, received: `${r.stdout || "(no body)"}${r.code !== 0 ? `\nnghttp exit status ${r.code}: ${r.output.split("\n").slice(-4).join(" ")}` : ""}`, hint: DYNAMIC });
    },
  },
  {
    name: "h2load: 20 requests one after another on one connection",
    async run(t) {
      const server = await t.start();
      const r = await h2load(t, ["-n", "20", "-c", "1", "-m", "1", "-H", `user-agent: ${t.rand.word()}`, h2url(server, "/user-agent")]);
      if (r.status2xx !== 20) t.fail({ message: "h2load's 20 requests on one connection (each header block after the first refers to the dynamic table) did not all get a 2xx.", expected: "20 2xx", received: r.output.split("\n").filter((l) => /requests:|status codes:|error|GOAWAY/i.test(l)).join("\n") || `exit status ${r.code}`, hint: DYNAMIC });
    },
  },
]);
