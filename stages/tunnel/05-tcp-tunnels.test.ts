import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireBinary } from "../../harness/clients/require.ts";
import { NC_PACKAGE } from "../../harness/clients/http.ts";
import { bulkBytes, sha256, startTcpService } from "../../harness/clients/local-service.ts";
import type { StreamSocket } from "../../challenges/tunnel/clients/stream-socket.ts";
import { StreamSocket as Public } from "../../challenges/tunnel/clients/stream-socket.ts";
import { startTunnelClient, startTunnelServer } from "../../challenges/tunnel/clients/tunnel.ts";
import { stage } from "../../harness/stage/define.ts";

const HALF_CLOSE = "A FIN closes one direction only (RFC 9293 §3.6): when one side of a stream shuts down its writing, pass that on as a half-close (the reference's END frame, then shutdown(SHUT_WR) — socket.end() — on the other side) and keep carrying the other direction until it ends too. Closing the whole stream at the first FIN loses everything the other side still had to send.";
const BINARY = "Carry a TCP stream's bytes exactly: no text decoding, no line handling, every byte value (0x00 and 0xFF too), in order.";

export default stage(import.meta, [
  {
    name: "nc through a TCP tunnel: binary data arrives intact, and the reply sent after nc's FIN comes back",
    async run(t) {
      const server = await startTunnelServer(t, { tcpPorts: 1 });
      const port = server.tcpPorts[0]!;
      const data = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), bulkBytes(t.rand.key("nc"), 256 << 10)]);
      let got: Buffer | undefined;
      const local = await startTcpService(t, "local service", (conn: StreamSocket) => {
        // Echo, but only once the public side has finished sending (its FIN came through the tunnel).
        void conn.until(() => conn.ended, 8000).then(async (ended) => {
          got = conn.bytes();
          if (ended && !conn.closed) {
            await conn.write(got, false);
            conn.end();
          }
        }).catch(() => {}); // the tunnel reset the connection: the checks below say what went missing
      });
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, tcp: port, to: local });
      // nc's output is binary: it goes to a file, not the transcript.
      requireBinary("nc", NC_PACKAGE);
      writeFileSync(join(t.dir, "data.bin"), data);
      const nc = `nc -N -w 3 127.0.0.1 ${port} < data.bin > reply.bin`;
      await t.client("dash", ["sh", "-c", nc], { display: nc, timeoutMs: 8000 });
      // The local service's side of the story may arrive a moment after nc exits.
      for (const deadline = Date.now() + 2000; got === undefined && Date.now() < deadline; ) await Bun.sleep(20);
      const received = got as Buffer | undefined;
      if (received === undefined) return t.fail({ message: "The local service received no connection, or no end of data (FIN), from the tunnel.", hint: HALF_CLOSE });
      t.expectEqual(`${received.length} bytes, sha256 ${sha256(received)}`, `${data.length} bytes, sha256 ${sha256(data)}`, { message: "The local service received different bytes than nc sent through the tunnel.", hint: BINARY });
      const back = readFileSync(join(t.dir, "reply.bin"));
      if (back.length === 0) t.fail({ message: "nc sent its data, then its FIN (shutdown of its write side); the local service replied after that FIN, but nc received nothing: the stream was closed both ways at the first FIN.", hint: HALF_CLOSE });
      t.expectEqual(`${back.length} bytes, sha256 ${sha256(back)}`, `${data.length} bytes, sha256 ${sha256(data)}`, { message: "nc received different bytes than the local service sent back after nc's FIN.", hint: `${BINARY} ${HALF_CLOSE}` });
    },
  },
  {
    name: "when the local service half-closes first, the public user sees the end and can still send",
    async run(t) {
      const server = await startTunnelServer(t, { tcpPorts: 1 });
      const port = server.tcpPorts[0]!;
      const greeting = `hello ${t.rand.key()}\n`;
      const after = `sent after your FIN: ${t.rand.key()}\n`;
      let got: string | undefined;
      const local = await startTcpService(t, "local service", (conn: StreamSocket) => {
        void (async () => {
          await conn.write(greeting);
          conn.end();
          await conn.until(() => conn.ended, 8000);
          got = conn.bytes().toString("latin1");
        })().catch(() => {}); // the tunnel reset the connection: the checks below say what went missing
      });
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, tcp: port, to: local });
      const user = await Public.connect(t, "public user", port);
      const ended = await user.until(() => user.ended, 3000);
      t.expectEqual(user.bytes().toString("latin1"), greeting, { message: "The public user should receive the local service's greeting.", hint: BINARY });
      if (!ended) t.fail({ message: "The local service sent its greeting and shut down its write side (FIN); the public user saw no end of data within 3 s.", hint: HALF_CLOSE });
      if (user.closed) t.fail({ message: "The local service only shut down its write side, but the public user's connection was closed both ways.", hint: HALF_CLOSE });
      await user.write(after);
      user.end();
      const deadline = Date.now() + 3000;
      while (got === undefined && Date.now() < deadline) await Bun.sleep(20);
      const lost = got === "" ? " It received nothing: the stream was closed both ways at the local service's FIN." : "";
      t.expectEqual(got ?? "(the local service saw no end of data)", after, { message: `After the local service's FIN, the public user sent a line and its own FIN; the local service should receive that line.${lost}`, hint: HALF_CLOSE });
    },
  },
]);
