import { LocalHttpService } from "../../harness/clients/local-service.ts";
import { StreamSocket } from "../../challenges/tunnel/clients/stream-socket.ts";
import { startTunnelClient, startTunnelServer, type TunnelServer } from "../../challenges/tunnel/clients/tunnel.ts";
import { expectedAccept, Opcode } from "../../harness/clients/http-websocket.ts";
import { acceptWebSocket, WsPeer } from "../../challenges/tunnel/clients/websocket.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const UPGRADE = "Forward the opening handshake as it is — Connection: Upgrade and Upgrade: websocket included. A proxy drops hop-by-hop fields (RFC 9110 §7.6.1), but a tunnel that does so breaks every upgrade: the local service must see them to answer 101 (RFC 9110 §7.8, RFC 6455 §4.1).";
const AFTER_101 = "After 101 Switching Protocols the connection is no longer HTTP (RFC 9110 §7.8): keep carrying its bytes both ways, as they come, until either side closes — no response framing, no waiting for a request, no time limit on a quiet connection.";

/** Opens a WebSocket to NAME through the server's HTTP port; fails unless the handshake gets a correct 101. */
async function openWebSocket(t: CaseContext, server: TunnelServer, name: string): Promise<WsPeer> {
  const user = await StreamSocket.connect(t, "public user", server.httpPort);
  const key = Buffer.from(t.rand.bytes(16)).toString("base64");
  await user.write(`GET /chat HTTP/1.1\r\nHost: ${name}.localhost:${server.httpPort}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n\r\n`);
  await user.until(() => user.bytes().includes("\r\n\r\n"), 3000);
  const all = user.bytes();
  const end = all.indexOf("\r\n\r\n");
  if (end < 0) t.fail({ message: "The WebSocket opening handshake got no response within 3 s.", received: all.toString("latin1") || "(nothing)", hint: UPGRADE });
  const head = all.subarray(0, end).toString("latin1");
  user.log(`< ${head.split("\r\n").join(" | ")}`);
  const status = head.split("\r\n")[0]!;
  if (!/^HTTP\/1\.1 101\b/.test(status)) t.fail({ message: "The WebSocket opening handshake through the tunnel should get 101 Switching Protocols from the local service.", expected: "HTTP/1.1 101 Switching Protocols", received: `${status}${all.length > end + 4 ? ` — ${all.subarray(end + 4).toString("latin1").trim()}` : ""}`, hint: UPGRADE });
  const accept = /\r\nsec-websocket-accept:\s*(\S+)/i.exec(`\r\n${head}`)?.[1];
  t.expectEqual(accept ?? "(none)", expectedAccept(key), { message: "The 101's Sec-WebSocket-Accept should be the local service's, computed from our key.", hint: UPGRADE });
  return new WsPeer(user, end + 4, true, () => t.rand.bytes(4));
}

export default stage(import.meta, [
  {
    name: "a WebSocket through the tunnel: the handshake gets 101 and messages echo both ways",
    async run(t) {
      const server = await startTunnelServer(t);
      const name = t.rand.word();
      const local = await LocalHttpService.start(t, "local service", async (req) => {
        const ws = await acceptWebSocket(req);
        if (!ws) return;
        for (;;) {
          const f = await ws.next(8000);
          if (!f) return;
          await ws.send(f.opcode, f.payload, false); // echo, a close frame too
          if (f.opcode === Opcode.CLOSE) return req.conn.end();
        }
      });
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      const ws = await openWebSocket(t, server, name);
      const texts = [`hello ${t.rand.key()}`, `again ${t.rand.key()}`];
      for (const text of texts) {
        await ws.send(Opcode.TEXT, text);
        const f = await ws.next(3000);
        t.expectEqual(f ? `${f.opcode} ${f.payload.toString()}` : "(no frame within 3 s)", `${Opcode.TEXT} ${text}`, { message: "A text message sent through the WebSocket should come back from the local service's echo.", hint: AFTER_101 });
        await Bun.sleep(200);
      }
      const big = Buffer.from(t.rand.bytes(100_000));
      await ws.send(Opcode.BINARY, big);
      const f = await ws.next(3000);
      t.expectEqual(f ? `${f.opcode} ${f.payload.length} bytes ${f.payload.equals(big) ? "equal" : "different"}` : "(no frame within 3 s)", `${Opcode.BINARY} ${big.length} bytes equal`, { message: "A 100 kB binary message should come back intact.", hint: AFTER_101 });
      await ws.send(Opcode.CLOSE, Buffer.from([0x03, 0xe8]));
      const close = await ws.next(3000);
      t.expectEqual(close ? String(close.opcode) : "(no frame within 3 s)", String(Opcode.CLOSE), { message: "The closing handshake (RFC 6455 §5.5.1) should come back through the tunnel.", hint: AFTER_101 });
    },
  },
  {
    name: "the local service can speak first on a quiet WebSocket",
    async run(t) {
      const server = await startTunnelServer(t);
      const name = t.rand.word();
      const news = `news ${t.rand.key()}`;
      const local = await LocalHttpService.start(t, "local service", async (req) => {
        const ws = await acceptWebSocket(req);
        if (!ws) return;
        await Bun.sleep(700);
        await ws.send(Opcode.TEXT, news, false);
        await ws.next(5000);
      });
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      const ws = await openWebSocket(t, server, name);
      const f = await ws.next(3000);
      t.expectEqual(f ? f.payload.toString() : "(no frame within 3 s)", news, { message: "The local service sent a message 0.7 s after the handshake, unprompted; it should reach the public user.", hint: AFTER_101 });
    },
  },
]);
