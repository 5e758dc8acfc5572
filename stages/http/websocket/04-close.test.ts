import { closeBody, clientFrame, describeFrame, Opcode, WsClient } from "../../../harness/clients/http-websocket.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";
import { stage } from "../../../harness/stage/define.ts";

const CLOSE = "When a close frame (opcode 0x8) comes, send a close frame back — echoing its status code — and close the TCP connection: the server closes first (RFC 6455 §5.5.1, §7.1.1).";
const CLOSE_PAYLOAD = "A close frame's body is empty or a 2-byte status code a peer may send (1000–1003, 1007–1011, 3000–4999; never 1004–1006, 1015 or below 1000) followed by a UTF-8 reason (RFC 6455 §5.5.1, §7.4.1, §7.4.2). A code a peer may not send is a protocol error (1002); a reason that is not UTF-8 is 1007.";
const FAIL = "To fail the connection (RFC 6455 §7.1.7), send a close frame with the status code for the problem (§7.4.1: 1002 protocol error, 1007 data that is not valid UTF-8 in a text message), then close the TCP connection.";

async function open(t: CaseContext, server: Program): Promise<WsClient> {
  const { ws, response } = await WsClient.handshake(t, server);
  if (response?.status !== 101) t.fail({ message: "The WebSocket handshake for /ws was not answered 101 (stage 1).", hint: "Pass stage 1 first." });
  return ws;
}

/** Sends `frames`, then expects a close frame with `code` and the TCP close. */
async function expectClose(t: CaseContext, ws: WsClient, frames: Buffer[], code: number, what: string, hint: string): Promise<void> {
  await ws.send(...frames);
  let f = await ws.next(3000);
  // Frames the server may still send before its close (e.g. an echo) are skipped.
  while (f && f.opcode !== Opcode.CLOSE) f = await ws.next(3000);
  if (!f) return t.fail({ message: `After ${what}, the server should send a close frame with status ${code}.`, expected: `close code ${code}`, received: ws.tcp.closed ? "the TCP connection was closed without a close frame" : "no close frame within 3 s", hint });
  const got = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : undefined;
  t.expectEqual(`close code ${got ?? "(none)"}`, `close code ${code}`, { message: `Wrong status code in the close frame answering ${what}.`, hint });
  if (f.masked) t.fail({ message: "The server's close frame is masked.", received: describeFrame(f), expected: "an unmasked close frame", hint: "Server frames are never masked (RFC 6455 §5.1)." });
  if (!(await ws.waitClosed(2000))) t.fail({ message: `After its close frame (${code}), the server should close the TCP connection.`, hint: CLOSE });
}

export default stage(import.meta, [
  {
    name: "a close frame with 1000 gets a close frame with 1000, then the TCP close",
    async run(t) {
      const server = await t.start();
      const ws = await open(t, server);
      await expectClose(t, ws, [clientFrame(Opcode.CLOSE, closeBody(1000, t.rand.word()))], 1000, "the client's close frame (1000, normal closure)", CLOSE);
    },
  },
  {
    name: "an unmasked client frame: close 1002",
    async run(t) {
      const server = await t.start();
      const ws = await open(t, server);
      await expectClose(t, ws, [clientFrame(Opcode.TEXT, t.rand.word(), { mask: false })], 1002, "an unmasked text frame from the client", `A server MUST close the connection when a client frame is not masked (RFC 6455 §5.1): ${FAIL}`);
    },
  },
  {
    name: "a text message that is not valid UTF-8: close 1007",
    async run(t) {
      const server = await t.start();
      const ws = await open(t, server);
      await expectClose(t, ws, [clientFrame(Opcode.TEXT, Buffer.from([0x68, 0x69, 0xc3, 0x28, 0xff]))], 1007, "a text message with invalid UTF-8 (c3 28 ff)", `Text messages are UTF-8; anything else fails the connection (RFC 6455 §8.1): ${FAIL}`);
    },
  },
  {
    name: "a reserved opcode, RSV bits, a long or fragmented control frame, a new message inside another: close 1002",
    async run(t) {
      const server = await t.start();
      const cases: [Buffer, string][] = [
        [clientFrame(0x3, "x"), "a frame with the reserved opcode 0x3"],
        [clientFrame(Opcode.TEXT, "x", { rsv: 4 }), "a frame with RSV1 set (no extension was negotiated)"],
        [clientFrame(Opcode.PING, Buffer.alloc(126, 0x61)), "a ping with 126 bytes of data (control frames carry at most 125)"],
        [clientFrame(Opcode.PING, "x", { fin: false }), "a fragmented ping (control frames cannot be fragmented)"],
        [clientFrame(Opcode.CONTINUATION, "x"), "a continuation frame with no message to continue"],
      ];
      // A new message in the middle of a fragmented one: two frames.
      const midMessage: [Buffer[], string] = [[clientFrame(Opcode.TEXT, "first", { fin: false }), clientFrame(Opcode.TEXT, "second")], "a text frame (not a continuation) in the middle of a fragmented text message"];
      for (const [frames, what] of [...cases.map(([f, w]): [Buffer[], string] => [[f], w]), midMessage]) {
        const ws = await open(t, server);
        await expectClose(t, ws, frames, 1002, what, `RFC 6455 §5.2 (RSV bits, reserved opcodes), §5.4 (continuations), §5.5 (control frames): ${FAIL}`);
      }
    },
  },
  {
    name: "the close code is echoed; a code a peer may not send, or a 1-byte body, gets 1002; a reason that is not UTF-8 gets 1007",
    async run(t) {
      const server = await t.start();
      const code = t.rand.int(4000, 4999);
      await expectClose(t, await open(t, server), [clientFrame(Opcode.CLOSE, closeBody(code, t.rand.word()))], code, `a close frame with status ${code} (an application's code)`, CLOSE);
      await expectClose(t, await open(t, server), [clientFrame(Opcode.CLOSE, closeBody(1005))], 1002, "a close frame with status 1005 (reserved: a peer may never send it)", CLOSE_PAYLOAD);
      // Every code of the .md's list that a peer may not send, on every seed: 1004, 1015 and one below 1000.
      const low = t.rand.int(0, 999);
      for (const [bad, why] of [[1004, "reserved"], [1015, "reserved for a TLS failure seen locally: never sent"], [low, "below 1000: not a status code"]] as const) {
        await expectClose(t, await open(t, server), [clientFrame(Opcode.CLOSE, closeBody(bad))], 1002, `a close frame with status ${bad} (${why}; a peer may never send it)`, CLOSE_PAYLOAD);
      }
      const lone = t.rand.int(0, 255);
      await expectClose(t, await open(t, server), [clientFrame(Opcode.CLOSE, Buffer.from([lone]))], 1002, `a close frame whose body is a single byte (${lone.toString(16).padStart(2, "0")}; a body is empty or at least the 2 bytes of a status code)`, CLOSE_PAYLOAD);
      await expectClose(t, await open(t, server), [clientFrame(Opcode.CLOSE, Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from([0x68, 0x69, 0xc3, 0x28, 0xff])]))], 1007, "a close frame with status 1000 and a reason that is not valid UTF-8 (68 69 c3 28 ff)", CLOSE_PAYLOAD);
    },
  },
]);
