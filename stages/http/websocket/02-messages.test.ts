import { clientFrame, describeFrame, Opcode, WsClient, WSDUMP_PACKAGE } from "../../../harness/clients/http-websocket.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";
import { visible } from "../../../harness/report/show.ts";
import { stage } from "../../../harness/stage/define.ts";

const ECHO = "On /ws, echo every message: a text message back as one text frame (opcode 0x1), a binary one as one binary frame (0x2), with FIN set (RFC 6455 §5.2, §5.6).";
const MASK = "Client frames are masked: after the length comes a 4-byte masking key, and payload byte i is XORed with key[i % 4] (RFC 6455 §5.3). Server frames are never masked: MASK bit 0, no key (§5.1).";
const LENGTH = "The payload length is 7 bits (0–125); 126 means a 16-bit length follows, 127 a 64-bit one, in network byte order; use the shortest form (RFC 6455 §5.2).";

async function open(t: CaseContext, server: Program): Promise<WsClient> {
  const { ws, response } = await WsClient.handshake(t, server);
  if (response?.status !== 101) t.fail({ message: "The WebSocket handshake for /ws was not answered 101 (stage 1).", hint: "Pass stage 1 first." });
  return ws;
}

/** Sends a message and expects it back, as one unmasked frame of the same type. */
async function echo(t: CaseContext, ws: WsClient, opcode: number, payload: Buffer, what: string): Promise<void> {
  await ws.send(clientFrame(opcode, payload, { mask: Buffer.from(t.rand.bytes(4)) }));
  const f = await ws.next(3000);
  if (!f) {
    // The frame that came declares another length than the message's (a length in the wrong form): say so.
    const pending = ws.tcp.pending;
    const seven = pending.length >= 2 ? pending[1]! & 0x7f : -1;
    const declared = seven < 0 ? undefined : seven < 126 ? seven : seven === 126 ? (pending.length >= 4 ? pending.readUInt16BE(2) : undefined) : pending.length >= 10 ? Number(pending.readBigUInt64BE(2)) : undefined;
    const why = declared !== undefined && declared !== payload.length ? ` The frame that came declares ${declared} bytes (7-bit length ${seven}${seven >= 126 ? `, then a ${seven === 126 ? 16 : 64}-bit length` : ""}), not ${payload.length}: 0–125 go in the 7 bits, 126 there means a 16-bit length follows, 127 a 64-bit one.` : "";
    return t.fail({ message: `No frame back within 3 s for ${what}.${why}`, expected: `a ${opcode === Opcode.TEXT ? "text" : "binary"} frame of ${payload.length} bytes`, received: ws.tcp.closed ? "the connection was closed" : visible(pending.subarray(0, 100)) || "nothing", hint: why ? LENGTH : `${ECHO} ${MASK}` });
  }
  if (f.masked) t.fail({ message: `The server masked its frame (${what}).`, received: describeFrame(f), expected: "an unmasked frame", hint: MASK });
  t.expectEqual(`opcode ${f.opcode}${f.fin ? " FIN" : ""} length ${f.payload.length}`, `opcode ${opcode} FIN length ${payload.length}`, { message: `Wrong frame back for ${what}.`, hint: `${ECHO} ${LENGTH}` });
  if (!f.payload.equals(payload)) t.fail({ message: `The echoed payload differs from what was sent (${what}); was the client's masking undone?`, expected: visible(payload.subarray(0, 80)), received: visible(f.payload.subarray(0, 80)), hint: MASK });
  const shortest = payload.length < 126 ? 7 : payload.length < 65536 ? 16 : 64;
  if (f.lengthBits !== undefined && f.lengthBits !== shortest) t.fail({ message: `The frame echoing ${what} writes its length in the ${f.lengthBits === 7 ? "7-bit" : `${f.lengthBits}-bit extended`} form; the shortest form for ${payload.length} bytes is ${shortest === 7 ? "the 7-bit length" : shortest === 16 ? "126 and a 16-bit length" : "127 and a 64-bit length"}.`, expected: `${shortest}-bit length`, received: `${f.lengthBits}-bit length`, hint: LENGTH });
}

export default stage(import.meta, [
  {
    name: "wsdump sends lines and gets them back",
    async run(t) {
      const server = await t.start();
      const lines = [t.rand.word(), `${t.rand.word()} ${t.rand.word()} é ✓`, t.rand.word()];
      const input = `${lines.join("\n")}\n`;
      const r = await t.client(WSDUMP_PACKAGE, ["wsdump", "-r", "--eof-wait", "1", `ws://${server.host}:${server.port}/ws`], { stdin: input, timeoutMs: 6000, quietStderr: true, display: `printf '${visible(input)}' | wsdump -r --eof-wait 1 ws://${server.host}:${server.port}/ws` });
      t.expectEqual(r.stdout.trimEnd(), lines.join("\n"), { message: "wsdump should print each line it sent, echoed back as a text message.", hint: ECHO });
    },
  },
  {
    name: "text and binary messages are echoed in unmasked frames",
    async run(t) {
      const server = await t.start();
      const ws = await open(t, server);
      await echo(t, ws, Opcode.TEXT, Buffer.from(`${t.rand.word()} ☃ ${t.rand.word()}`), "a short text message");
      await echo(t, ws, Opcode.BINARY, Buffer.from(t.rand.bytes(t.rand.int(1, 125))), "a short binary message");
      await echo(t, ws, Opcode.TEXT, Buffer.alloc(0), "an empty text message");
    },
  },
  {
    name: "payload lengths at the 7-bit, 16-bit and 64-bit boundaries, each in its shortest form",
    async run(t) {
      const server = await t.start();
      const ws = await open(t, server);
      for (const n of [125, 126, 65535, 65536, 200_000]) await echo(t, ws, Opcode.BINARY, Buffer.from(t.rand.bytes(n)), `a binary message of ${n} bytes`);
    },
  },
]);
