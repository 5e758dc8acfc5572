import { startBackground } from "../../harness/clients/background.ts";
import { curl, CURL_PACKAGE } from "../../harness/clients/http.ts";
import { bulkBytes, LocalHttpService, responseHead } from "../../harness/clients/local-service.ts";
import { publicUrl, startTunnelClient, startTunnelServer } from "../../harness/clients/tunnel.ts";
import { stage } from "../../harness/stage/define.ts";

const PER_STREAM = "Give each stream its own flow-control window (RFC 9113 §5.2): the sender may have at most a window's worth of unacknowledged bytes in flight on a stream, and the receiver grants more (the reference's WINDOW frame, like HTTP/2's WINDOW_UPDATE, RFC 9113 §6.9) only once it has written them to the stream's socket. A full socket then stops its own stream, while the connection keeps carrying the others. Never stop reading the tunnel connection because one stream's socket is full: that stalls every stream behind it (head-of-line blocking).";

const OFFERED = 96 << 20;
const CHUNK = 1 << 20;

export default stage(import.meta, [
  {
    name: "a public user reading one response slowly does not hold up a request on another stream",
    timeout: 15,
    async run(t) {
      const server = await startTunnelServer(t);
      const name = t.rand.word();
      const chunk = bulkBytes(t.rand.key("big"), CHUNK);
      let written = 0;
      const local = await LocalHttpService.start(t, "local service", async (req) => {
        if (!req.target.startsWith("/big")) return req.reply(200, [], `quick answer to ${req.target}`);
        await req.conn.write(responseHead(200, [["Content-Length", String(OFFERED)]]), false);
        while (written < OFFERED && !t.signal.aborted && !req.conn.closed) {
          await req.conn.write(chunk, false);
          written += CHUNK;
        }
      });
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      startBackground(t, CURL_PACKAGE, ["curl", "-sS", "--limit-rate", "16k", "-o", "/dev/null", ...publicUrl(server, name, "/big").args], { name: "the slow reader" });
      // Let the slow stream fill every buffer on its way: wait until the local service cannot write more (or has written everything), at most 5 s.
      const deadline = Date.now() + 5000;
      let last = -1;
      while (Date.now() < deadline && written < OFFERED) {
        if (written === last && written > 0) break;
        last = written;
        await Bun.sleep(500);
      }
      t.log.note(`the local service has written ${written >> 20} MiB of the slow response so far`);
      const path = `/small/${t.rand.int(1000, 9999)}`;
      const { responses } = await curl(t, publicUrl(server, name, path).args, {
        message: `While one public user read a large response at 16 KiB/s, GET ${path} on another stream of the same tunnel got no response within 4 s: head-of-line blocking.`,
        hint: PER_STREAM,
      });
      t.expectEqual(responses[0]!.body.toString(), `quick answer to ${path}`, { message: `The response to GET ${path} is not the local service's.`, hint: PER_STREAM });
      if (written >= OFFERED) {
        t.fail({
          message: `The local service wrote all ${OFFERED >> 20} MiB of a response that the public user reads at 16 KiB/s: the tunnel took it all in, with nothing to slow the local service down.`,
          hint: `Without flow control a slow reader makes the tunnel buffer without bound. ${PER_STREAM}`,
        });
      }
    },
  },
]);
