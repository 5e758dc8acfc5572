import { startWithFiles } from "../../../harness/clients/http.ts";
import { describe, encodeFrame, ErrorCode, errorName, Flag, FrameType, H2Client, Setting, u32 } from "../../../challenges/http/clients/http2-frames.ts";
import { HpackEncoder } from "../../../challenges/http/clients/http2-hpack.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";
import { stage } from "../../../harness/stage/define.ts";

const PING = "A PING frame (type 0x6, stream 0, 8 bytes) without ACK is answered at once with a PING frame with the ACK flag (0x1) and the same 8 bytes (RFC 9113 §6.7); a PING that has the ACK flag is not answered.";
const UNKNOWN = "Frames of a type you do not know are ignored, not errors (RFC 9113 §4.1, §5.5): skip `length` bytes and go on.";
const RST = "RST_STREAM (type 0x3) ends one stream: stop sending on it, forget its queued data, and keep the connection and its other streams going (RFC 9113 §6.4).";
const GOAWAY = "A connection error (RFC 9113 §5.4.1): send GOAWAY (type 0x7, stream 0) with the last stream id you processed and the error code, then close the TCP connection.";
const STREAM_ERROR = "A stream error (RFC 9113 §5.4.2) ends only that stream: send RST_STREAM with the error code on it; the connection goes on.";

/** Opens a connection, exchanges SETTINGS, sends `frames`, and expects GOAWAY with `code` (and the close). */
async function expectGoaway(t: CaseContext, server: Program, frames: Buffer[], code: number, what: string, hint: string, o: { lastStream?: number } = {}): Promise<void> {
  const h2 = await H2Client.open(t, server);
  await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
  t.log.note(what);
  await h2.send(...frames);
  const got = await h2.goaway(2000);
  const want = `GOAWAY ${errorName(code)}`;
  if (got === "closed" || got === "nothing") t.fail({ message: `After ${what}, the server should send GOAWAY with ${errorName(code)} and close the connection.`, expected: want, received: got === "closed" ? "the connection was closed without a GOAWAY" : "no GOAWAY within 2 s (see the frames above)", hint: `${hint} ${GOAWAY}` });
  t.expectEqual(`GOAWAY ${errorName(got.code)}`, want, { message: `Wrong error code in the GOAWAY answering ${what}.`, hint: `${hint} ${GOAWAY}` });
  if (o.lastStream !== undefined) t.expectEqual(`last stream ${got.lastStream}`, `last stream ${o.lastStream}`, { message: `The GOAWAY answering ${what} should name the last stream the server processed, ${o.lastStream}.`, hint: GOAWAY });
  if (!(await h2.tcp.waitFor(() => false, 2000).then(() => h2.tcp.closed))) t.fail({ message: `After its GOAWAY (${errorName(code)}), the server should close the connection.`, hint: GOAWAY });
}

export default stage(import.meta, [
  {
    name: "PING is answered with PING ACK and the same 8 bytes; a PING ACK is not answered",
    async run(t) {
      const server = await t.start();
      const h2 = await H2Client.open(t, server);
      await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      const opaque = Buffer.from(t.rand.bytes(8));
      // First a PING that is itself an ACK (other bytes): it must not be answered; then the PING to answer.
      const unsolicited = Buffer.from(opaque.map((b) => b ^ 0xff));
      t.log.note("a PING with the ACK flag first (it must not be answered), then a PING without it");
      await h2.send(encodeFrame(FrameType.PING, Flag.ACK, 0, unsolicited), encodeFrame(FrameType.PING, 0, 0, opaque));
      let ack: Buffer | undefined;
      let answeredAck = false;
      await h2.until((f) => {
        if (f.type === FrameType.PING && f.flags & Flag.ACK && f.payload.equals(unsolicited)) answeredAck = true;
        else if (f.type === FrameType.PING && f.flags & Flag.ACK) ack = f.payload;
        return ack !== undefined;
      }, 2000);
      if (answeredAck) t.fail({ message: "The server answered a PING that had the ACK flag with a PING ACK of its own: a PING with ACK is an acknowledgement, and must not be answered (RFC 9113 §6.7: \"Receivers of a PING frame that has the ACK flag set MUST NOT respond\"), or two peers would echo each other for ever.", expected: `no answer to PING <ACK> ${unsolicited.toString("hex")}`, received: `PING stream 0 <ACK> length 8 ${unsolicited.toString("hex")}`, hint: PING });
      if (!ack) t.fail({ message: "No PING ACK within 2 s.", expected: `PING stream 0 <ACK> length 8 ${opaque.toString("hex")}`, received: h2.closed ? "the connection was closed" : "no PING ACK", hint: PING });
      t.expectEqual((ack as Buffer).toString("hex"), opaque.toString("hex"), { message: "The PING ACK must carry the same 8 bytes as the PING.", hint: PING });
    },
  },
  {
    name: "a frame of an unknown type is ignored",
    async run(t) {
      const server = await t.start();
      const h2 = await H2Client.open(t, server);
      await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      const opaque = Buffer.from(t.rand.bytes(8));
      await h2.send(encodeFrame(0xfa, 0x5, 0, Buffer.from(t.rand.bytes(10))), encodeFrame(0xfb, 0, 1, Buffer.alloc(0)), encodeFrame(FrameType.PING, 0, 0, opaque));
      let ack = false;
      let goaway: string | undefined;
      await h2.until((f) => {
        if (f.type === FrameType.GOAWAY) goaway = describe(f);
        ack = f.type === FrameType.PING && (f.flags & Flag.ACK) !== 0 && f.payload.equals(opaque);
        return ack || goaway !== undefined;
      }, 2000);
      if (!ack) t.fail({ message: "After two frames of unknown types (0xfa, 0xfb), a PING should still be answered.", expected: "PING ACK", received: goaway ?? (h2.closed ? "the connection was closed" : "no PING ACK within 2 s"), hint: UNKNOWN });
    },
  },
  {
    name: "RST_STREAM cancels one stream; the connection goes on",
    async run(t) {
      const { server } = await startWithFiles(t, { "big.txt": Buffer.alloc(100_000, "z") });
      const word = t.rand.word();
      // A 1 MiB stream window: stream 1 stops only at the connection's 65,535, which the WINDOW_UPDATE below reopens.
      const h2 = await H2Client.open(t, server, { settings: [[Setting.INITIAL_WINDOW_SIZE, 1 << 20]] });
      await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      await h2.send(h2.get(1, "/big.txt"));
      let before = 0;
      await h2.until((f) => {
        if (f.type === FrameType.DATA && f.stream === 1) before += f.length;
        return before >= 65535;
      }, 3000);
      t.log.note(`${before} bytes of stream 1 came; cancel it while the rest waits for the connection's window, open that window, and ask on stream 3`);
      await h2.send(encodeFrame(FrameType.RST_STREAM, 0, 1, u32(ErrorCode.CANCEL)), encodeFrame(FrameType.WINDOW_UPDATE, 0, 0, u32(100_000)), h2.get(3, `/echo/${word}`));
      let afterReset = 0;
      const r = (await h2.responses([3], 3000, { onData: (f) => void (f.stream === 1 && (afterReset += f.length)) })).get(3)!;
      if (!r.complete) t.fail({ message: `After RST_STREAM on stream 1, GET /echo/${word} on stream 3 got no complete response within 3 s.`, expected: "a response on stream 3", received: h2.received.find((f) => f.type === FrameType.GOAWAY) ? describe(h2.received.find((f) => f.type === FrameType.GOAWAY)!) : "no response", hint: RST });
      t.expectEqual(`${r.status} ${r.body.toString("latin1")}`, `200 ${word}`, { message: "Wrong response on stream 3 after RST_STREAM on stream 1.", hint: RST });
      if (afterReset > 0) t.fail({ message: `The server sent ${afterReset} bytes of DATA on stream 1 after the client reset it.`, hint: RST });
    },
  },
  {
    name: "DATA on stream 0 is a connection error: GOAWAY with PROTOCOL_ERROR",
    async run(t) {
      const server = await t.start();
      await expectGoaway(t, server, [encodeFrame(FrameType.DATA, 0, 0, Buffer.from("hello"))], ErrorCode.PROTOCOL_ERROR, "a DATA frame on stream 0", "DATA frames belong to a stream: on stream 0 they are a connection error of type PROTOCOL_ERROR (RFC 9113 §6.1).");
    },
  },
  {
    name: "HEADERS on an even stream id is a connection error: GOAWAY with PROTOCOL_ERROR",
    async run(t) {
      const server = await t.start();
      const even = encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 2, Buffer.concat([Buffer.from([0x82, 0x86, 0x84]), Buffer.from([0x01, 9]), Buffer.from("127.0.0.1")]));
      await expectGoaway(t, server, [even], ErrorCode.PROTOCOL_ERROR, "a request (HEADERS) on stream 2", "A client opens only odd-numbered streams; a HEADERS frame opening an even one is a connection error of type PROTOCOL_ERROR (RFC 9113 §5.1.1).");
    },
  },
  {
    name: "HEADERS opening a stream lower than one already opened: GOAWAY with PROTOCOL_ERROR",
    async run(t) {
      const server = await t.start();
      const fields: [string, string][] = [[":method", "GET"], [":scheme", "http"], [":path", "/"], [":authority", "127.0.0.1"]];
      const block = () => new HpackEncoder().plain(fields);
      await expectGoaway(t, server, [encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 5, block()), encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 3, block())], ErrorCode.PROTOCOL_ERROR, "a request on stream 5, then one opening stream 3", "A new stream's id must be higher than every stream the client opened before; a lower one is a connection error of type PROTOCOL_ERROR (RFC 9113 §5.1.1).", { lastStream: 5 });
    },
  },
  {
    name: "a request with an upper-case field name is malformed: RST_STREAM with PROTOCOL_ERROR",
    async run(t) {
      const server = await t.start();
      const h2 = await H2Client.open(t, server);
      await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      await h2.send(h2.get(1, "/", [["X-Upper", t.rand.word()]]));
      let reset: number | undefined;
      let goaway: number | undefined;
      let status: string | undefined;
      await h2.until((f, fields) => {
        if (f.type === FrameType.RST_STREAM && f.stream === 1) reset = f.payload.readUInt32BE(0);
        if (f.type === FrameType.GOAWAY) goaway = f.payload.readUInt32BE(4);
        if (fields && f.stream === 1) status = fields.find(([n]) => n === ":status")?.[1];
        return reset !== undefined || goaway !== undefined;
      }, 2000);
      const code = (reset ?? goaway) as number | undefined;
      const hint = "HTTP/2 field names are lowercase: a request with an upper-case letter in a field name is malformed, a stream error of type PROTOCOL_ERROR (RFC 9113 §8.2.1, §8.1.1) — RST_STREAM, not a response.";
      if (code === undefined) return t.fail({ message: "A request with the field name X-Upper got no RST_STREAM within 2 s.", expected: "RST_STREAM stream 1 PROTOCOL_ERROR", received: status ? `a response, :status ${status}` : "nothing", hint });
      t.expectEqual(errorName(code), "PROTOCOL_ERROR", { message: "Wrong error code for a request with an upper-case field name.", hint });
    },
  },
  {
    name: "a PING of 6 bytes is a connection error: GOAWAY with FRAME_SIZE_ERROR",
    async run(t) {
      const server = await t.start();
      await expectGoaway(t, server, [encodeFrame(FrameType.PING, 0, 0, Buffer.from(t.rand.bytes(6)))], ErrorCode.FRAME_SIZE_ERROR, "a PING frame whose payload is 6 bytes", "A PING frame's payload is exactly 8 bytes; any other length is a connection error of type FRAME_SIZE_ERROR (RFC 9113 §6.7).");
    },
  },
  {
    name: "a SETTINGS frame whose length is not a multiple of 6: GOAWAY with FRAME_SIZE_ERROR",
    async run(t) {
      const server = await t.start();
      await expectGoaway(t, server, [encodeFrame(FrameType.SETTINGS, 0, 0, Buffer.from([0, 3, 0]))], ErrorCode.FRAME_SIZE_ERROR, "a SETTINGS frame of 3 bytes", "A SETTINGS payload is a list of 6-byte settings; a length that is not a multiple of 6 is a connection error of type FRAME_SIZE_ERROR (RFC 9113 §6.5).");
    },
  },
  {
    name: "WINDOW_UPDATE of 0 on the connection: GOAWAY with PROTOCOL_ERROR",
    async run(t) {
      const server = await t.start();
      await expectGoaway(t, server, [encodeFrame(FrameType.WINDOW_UPDATE, 0, 0, u32(0))], ErrorCode.PROTOCOL_ERROR, "a WINDOW_UPDATE of 0 on stream 0", "A WINDOW_UPDATE increment of 0 is an error: on stream 0 a connection error of type PROTOCOL_ERROR (RFC 9113 §6.9).");
    },
  },
  {
    name: "a frame larger than SETTINGS_MAX_FRAME_SIZE: GOAWAY with FRAME_SIZE_ERROR",
    async run(t) {
      const server = await t.start();
      const h2 = await H2Client.open(t, server);
      const settings = await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      const max = settings.find(([id]) => id === Setting.MAX_FRAME_SIZE)?.[1] ?? 16384;
      h2.close();
      if (max >= 2 ** 24 - 1) {
        // A server that takes frames of the largest size the 24-bit length can say has none too large (nginx): nothing to check.
        t.log.note(`the server's SETTINGS_MAX_FRAME_SIZE is ${max}, the largest a frame can be: no frame can exceed it`);
        return;
      }
      // A frame of an unknown type on stream 0: ignored if it were not too long (a PING of that length would be refused for not being 8 bytes alone).
      await expectGoaway(t, server, [encodeFrame(0xfa, 0, 0, Buffer.alloc(max + 1))], ErrorCode.FRAME_SIZE_ERROR, `a ${max + 1}-byte frame of the unknown type 0xfa on stream 0 (the server's SETTINGS_MAX_FRAME_SIZE is ${max})`, "A frame longer than your SETTINGS_MAX_FRAME_SIZE (16,384 unless you advertise more) is a FRAME_SIZE_ERROR; a frame that could change the connection's state, or whose stream you cannot tell, makes it a connection error (RFC 9113 §4.2).");
    },
  },
  {
    name: "WINDOW_UPDATE of 0 on an open stream: RST_STREAM with PROTOCOL_ERROR",
    async run(t) {
      const { server } = await startWithFiles(t);
      const word = t.rand.word();
      const h2 = await H2Client.open(t, server);
      await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      await h2.send(h2.get(1, `/files/${t.rand.word()}`, [["content-length", "10"]], "PUT", false), encodeFrame(FrameType.WINDOW_UPDATE, 0, 1, u32(0)));
      let reset: number | undefined;
      let goaway: number | undefined;
      await h2.until((f) => {
        if (f.type === FrameType.RST_STREAM && f.stream === 1) reset = f.payload.readUInt32BE(0);
        if (f.type === FrameType.GOAWAY) goaway = f.payload.readUInt32BE(4);
        return reset !== undefined || goaway !== undefined;
      }, 2000);
      if (goaway !== undefined) {
        // RFC 9113 §5.4.1 lets an endpoint treat a stream error as a connection error; the code must still be right.
        t.expectEqual(errorName(goaway), "PROTOCOL_ERROR", { message: "Wrong error code for a WINDOW_UPDATE of 0 on stream 1.", hint: STREAM_ERROR });
        return;
      }
      const code = reset as number | undefined;
      if (code === undefined) return t.fail({ message: "A WINDOW_UPDATE of 0 on open stream 1 got no RST_STREAM within 2 s.", expected: "RST_STREAM stream 1 PROTOCOL_ERROR", received: "nothing", hint: STREAM_ERROR });
      t.expectEqual(`RST_STREAM ${errorName(code)}`, "RST_STREAM PROTOCOL_ERROR", { message: "Wrong error code in the RST_STREAM for a WINDOW_UPDATE of 0 on stream 1.", hint: STREAM_ERROR });
      await h2.send(h2.get(3, `/echo/${word}`));
      const r = (await h2.responses([3], 3000)).get(3)!;
      t.expectEqual(`${r.status} ${r.body.toString("latin1")}`, `200 ${word}`, { message: "After a stream error on stream 1, the connection should go on: GET on stream 3.", hint: STREAM_ERROR });
    },
  },
  {
    name: "a broken preface: the connection is not served as HTTP/2 and is closed",
    async run(t) {
      const server = await t.start();
      const h2 = await H2Client.open(t, server, { preface: false });
      await h2.sendRaw("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n", "a preface with XX instead of SM");
      await h2.send(encodeFrame(FrameType.SETTINGS, 0, 0));
      const closed = await h2.tcp.waitFor(() => false, 2000).then(() => h2.tcp.closed);
      if (h2.tcp.pending.length >= 9 && h2.tcp.pending[3] === FrameType.SETTINGS) t.fail({ message: "The server answered a broken preface with HTTP/2 frames (a SETTINGS frame), as if the preface were valid.", hint: "Compare all 24 octets of the preface: PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n (RFC 9113 §3.4)." });
      if (!closed) t.fail({ message: "A connection that starts with a broken preface should be closed (with GOAWAY PROTOCOL_ERROR, or as a bad HTTP/1.1 request) within 2 s.", hint: "An invalid connection preface is a connection error of type PROTOCOL_ERROR (RFC 9113 §3.4); on a port that also speaks HTTP/1.1, bytes that are not the preface are an HTTP/1.1 request, and this one is malformed (400, then close)." });
    },
  },
]);
