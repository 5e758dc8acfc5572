import { clientFrame, Opcode, WsClient, type WsFrame } from "../../../harness/clients/http-websocket.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";
import { stage } from "../../../harness/stage/define.ts";

const FRAGMENTS = "A message may come in fragments: a first frame with the text or binary opcode and FIN 0, continuation frames (opcode 0x0), the last with FIN 1. Collect them and handle the whole message once (RFC 6455 §5.4): here, echo it as one frame.";
const UTF8_WHOLE = "UTF-8 is a property of the whole text message, not of each fragment: a character's bytes may be split across fragments (RFC 6455 §5.6, §8.1). Check the message once it is complete (or keep a decoder's state across fragments).";
const CONTROL = "Control frames (close, ping, pong) may come between the fragments of a message and are handled at once (RFC 6455 §5.4, §5.5).";
const PING = "Answer a ping (opcode 0x9) with a pong (0xA) carrying the same application data, as soon as you can (RFC 6455 §5.5.2). An unsolicited pong needs no answer (§5.5.3).";

async function open(t: CaseContext, server: Program): Promise<WsClient> {
  const { ws, response } = await WsClient.handshake(t, server);
  if (response?.status !== 101) t.fail({ message: "The WebSocket handshake for /ws was not answered 101 (stage 1).", hint: "Pass stage 1 first." });
  return ws;
}

async function next(t: CaseContext, ws: WsClient, what: string, hint: string): Promise<WsFrame> {
  const f = await ws.next(3000);
  if (!f) return t.fail({ message: `Nothing came back within 3 s: expected ${what}.`, received: ws.tcp.closed ? "the connection was closed" : "nothing", expected: what, hint });
  return f;
}

export default stage(import.meta, [
  {
    name: "a text message in three fragments is echoed whole",
    async run(t) {
      const server = await t.start();
      const ws = await open(t, server);
      const parts = [t.rand.word(), ` ${t.rand.word()} `, t.rand.word()];
      await ws.send(clientFrame(Opcode.TEXT, parts[0]!, { fin: false }), clientFrame(Opcode.CONTINUATION, parts[1]!, { fin: false }), clientFrame(Opcode.CONTINUATION, parts[2]!));
      const f = await next(t, ws, `one text frame "${parts.join("")}"`, FRAGMENTS);
      t.expectEqual(`opcode ${f.opcode}${f.fin ? " FIN" : ""} "${f.payload.toString()}"`, `opcode 1 FIN "${parts.join("")}"`, { message: "A fragmented text message should be echoed as one text frame holding the whole message.", hint: FRAGMENTS });
    },
  },
  {
    name: "a text message with a character split across fragments is echoed whole",
    async run(t) {
      const server = await t.start();
      const ws = await open(t, server);
      // A 3-byte (€) and a 4-byte (𝄞) character, each cut inside its bytes, on every seed.
      const [w1, w2] = [t.rand.word(), t.rand.word()];
      const message = Buffer.from(`${w1}€ ${w2}𝄞!`);
      const euro = message.indexOf(Buffer.from("€"));
      const clef = message.indexOf(Buffer.from("𝄞"));
      const cuts = [euro + 1, clef + 2];
      await ws.send(clientFrame(Opcode.TEXT, message.subarray(0, cuts[0]), { fin: false }), clientFrame(Opcode.CONTINUATION, message.subarray(cuts[0], cuts[1]), { fin: false }), clientFrame(Opcode.CONTINUATION, message.subarray(cuts[1])));
      const f = await next(t, ws, `one text frame "${message.toString()}"`, UTF8_WHOLE);
      const got = f.opcode === Opcode.CLOSE && f.payload.length >= 2 ? `close ${f.payload.readUInt16BE(0)}` : `opcode ${f.opcode}${f.fin ? " FIN" : ""} "${f.payload.toString()}"`;
      t.expectEqual(got, `opcode 1 FIN "${message.toString()}"`, { message: "A valid UTF-8 text message whose characters are split across fragments (€ after its first byte, 𝄞 after its second) should be echoed whole, not failed with 1007.", hint: UTF8_WHOLE });
    },
  },
  {
    name: "a ping between fragments is answered with a pong with the same data, then the message",
    async run(t) {
      const server = await t.start();
      const ws = await open(t, server);
      const data = Buffer.from(t.rand.bytes(t.rand.int(4, 16)));
      const [a, b] = [Buffer.from(t.rand.bytes(300)), Buffer.from(t.rand.bytes(200))];
      await ws.send(clientFrame(Opcode.BINARY, a, { fin: false }), clientFrame(Opcode.PING, data));
      const pong = await next(t, ws, "a pong", PING);
      t.expectEqual(`opcode ${pong.opcode} ${pong.payload.toString("hex")}`, `opcode 10 ${data.toString("hex")}`, { message: "A ping between the fragments of a message should be answered at once with a pong carrying the same data.", hint: `${PING} ${CONTROL}` });
      await ws.send(clientFrame(Opcode.PONG, Buffer.from("unsolicited")), clientFrame(Opcode.CONTINUATION, b));
      const f = await next(t, ws, "the binary message", FRAGMENTS);
      t.expectEqual(`opcode ${f.opcode} length ${f.payload.length}`, `opcode 2 length ${a.length + b.length}`, { message: "After the ping, the fragmented binary message should be echoed whole (an unsolicited pong changes nothing).", hint: FRAGMENTS });
      if (!f.payload.equals(Buffer.concat([a, b]))) t.fail({ message: "The echoed binary message is not the two fragments joined.", hint: FRAGMENTS });
    },
  },
  {
    name: "a ping on its own gets a pong",
    async run(t) {
      const server = await t.start();
      const ws = await open(t, server);
      const data = Buffer.from(t.rand.word());
      await ws.send(clientFrame(Opcode.PING, data));
      const pong = await next(t, ws, "a pong", PING);
      t.expectEqual(`opcode ${pong.opcode} "${pong.payload.toString()}"`, `opcode 10 "${data.toString()}"`, { message: "A ping should be answered with a pong carrying the same data.", hint: PING });
    },
  },
]);
