import { startBackground } from "../../harness/clients/background.ts";
import { curl, CURL_PACKAGE } from "../../harness/clients/http.ts";
import { bulkBytes, LocalHttpService, responseHead, sha256, type ServiceRequest } from "../../harness/clients/local-service.ts";
import { StreamSocket } from "../../challenges/tunnel/clients/stream-socket.ts";
import { TcpProxy } from "../../challenges/tunnel/clients/tcp-proxy.ts";
import { publicUrl, startTunnelClient, startTunnelServer } from "../../challenges/tunnel/clients/tunnel.ts";
import { stage } from "../../harness/stage/define.ts";

const PER_STREAM = "Give each stream its own flow-control window (RFC 9113 §5.2): the sender may have at most a window's worth of unacknowledged bytes in flight on a stream, and the receiver grants more (the reference's WINDOW frame, like HTTP/2's WINDOW_UPDATE, RFC 9113 §6.9) only once it has written them to the stream's socket. A full socket then stops its own stream, while the connection keeps carrying the others. Never stop reading the tunnel connection because one stream's socket is full: that stalls every stream behind it (head-of-line blocking).";

const GRANTS = "Grant back every byte the stream's socket has taken, not a fixed amount: when you have counted a quarter of the window or more, send a window update (WINDOW) with the whole count and start counting from zero. A grant that rounds down, or drops what was counted beyond a quarter window, shrinks the window a little each time: a long transfer slows down, or stalls for good.";
/** The long transfer: 32 windows of the reference's 256 KiB, each way. */
const LONG = 8 << 20;
/** A quarter of the reference's window, the amount it grants back at a time. */
const QUARTER = 64 << 10;
/** A transfer that moves no byte for this long has stalled. */
const STALL_MS = 3000;
/** The window-width case: a first stretch before the first measurement, and what the public user sends at once for each measurement (more than any window). */
const WARM_UP = 256 << 10;
const BLAST = 1 << 20;
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
  {
    name: "a transfer 32 windows long each way, in pieces that never add up to a quarter window, never stalls",
    timeout: 30,
    async run(t) {
      const server = await startTunnelServer(t);
      const name = t.rand.word();
      // 4 pieces are a quarter window (64 KiB) and 4 × d bytes more: a receiver that grants only 64 KiB each time loses those bytes of window every time.
      const piece = (QUARTER >> 2) + 2 * t.rand.int(500, 1500) + 1;
      const down = bulkBytes(t.rand.key("down"), LONG);
      const up = bulkBytes(t.rand.key("up"), LONG);
      const head = responseHead(200, [["Content-Length", String(LONG)]]);
      let user: StreamSocket | undefined;
      let upload: ServiceRequest | undefined;
      const local = await LocalHttpService.start(t, "local service", async (req) => {
        if (req.method === "POST") {
          upload = req;
          await req.waitBody(25000);
          return req.reply(200, [], sha256(req.body()));
        }
        await req.conn.write(head, false);
        // One piece at a time: the next once the public user has the last, so that the tunnel reads (and frames) pieces of this size.
        for (let off = 0; off < LONG && !req.conn.closed && !t.signal.aborted; off += piece) {
          await req.conn.write(down.subarray(off, off + piece), false);
          if (!(await user!.until(() => user!.received >= head.length + Math.min(LONG, off + piece), STALL_MS + 1000))) return;
        }
      });
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      const host = `${name}.localhost:${server.httpPort}`;
      const stalled = async (what: string, got: () => number) => {
        for (let last = -1, since = Date.now(); got() < LONG; await Bun.sleep(50)) {
          if (got() !== last) [last, since] = [got(), Date.now()];
          else if (Date.now() - since > STALL_MS) {
            t.fail({
              message: `A ${LONG >> 20} MiB ${what}, sent in ${piece}-byte pieces, stalled: nothing more arrived for ${STALL_MS / 1000} s after ${got()} bytes (${(got() / (QUARTER * 4)).toFixed(1)} windows of 256 KiB). Its window shrank to nothing.`,
              expected: `all ${LONG} bytes`,
              received: `${got()} bytes, then nothing`,
              hint: GRANTS,
            });
          }
        }
      };
      user = await StreamSocket.connect(t, "downloading user", server.httpPort);
      await user.write(`GET /long HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      t.log.note(`the local service sends ${LONG >> 20} MiB in ${piece}-byte pieces, each once the public user has the one before`);
      await stalled("download", () => Math.max(0, user!.received - head.length));
      const body = user.bytes().subarray(head.length);
      t.expectEqual(`${body.length} bytes, sha256 ${sha256(body)}`, `${LONG} bytes, sha256 ${sha256(down)}`, { message: "The long download arrived different from what the local service sent.", hint: "Every byte, in order, once." });
      user.destroy();
      const uploader = await StreamSocket.connect(t, "uploading user", server.httpPort);
      await uploader.write(`POST /long HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${LONG}\r\n\r\n`);
      uploader.log(`> (${LONG} bytes of request body in ${piece}-byte pieces, each once the local service has the one before)`);
      void (async () => {
        for (let off = 0; off < LONG && !uploader.closed && !t.signal.aborted; off += piece) {
          await uploader.write(up.subarray(off, off + piece), false);
          for (let i = 0; i < (STALL_MS + 1000) / 10 && (upload?.bodyReceived ?? 0) < Math.min(LONG, off + piece); i++) await Bun.sleep(10);
        }
      })().catch(() => {});
      await stalled("upload", () => upload?.bodyReceived ?? 0);
      t.expectEqual(sha256(upload!.body()), sha256(up), { message: "The long upload the local service received (its sha256) differs from what the public user sent.", hint: "Every byte, in order, once." });
    },
  },
  {
    name: "after a transfer 32 windows long, the window is as wide as at the start: grants give back every byte",
    timeout: 30,
    async run(t) {
      const server = await startTunnelServer(t);
      // A relay between client and server lets the test hold back what the client sends (its window grants for an upload).
      const relay = await TcpProxy.start(t, server.controlPort);
      const name = t.rand.word();
      const piece = (QUARTER >> 2) + 2 * t.rand.int(500, 1500) + 1;
      const total = WARM_UP + BLAST + LONG + BLAST;
      const body = bulkBytes(t.rand.key("up"), total);
      let upload: ServiceRequest | undefined;
      const local = await LocalHttpService.start(t, "local service", async (req) => {
        upload = req;
        await req.waitBody(25000);
        await req.reply(200, [], sha256(req.body()));
      });
      await startTunnelClient(t, { serverPort: relay.port, token: server.token, http: name, to: local.port });
      const user = await StreamSocket.connect(t, "uploading user", server.httpPort);
      await user.write(`POST /long HTTP/1.1\r\nHost: ${name}.localhost:${server.httpPort}\r\nContent-Length: ${total}\r\n\r\n`);
      const received = () => upload?.bodyReceived ?? 0;
      /** Sends body[from, to) a piece at a time, each once the local service has the one before. */
      const pingPong = async (from: number, to: number) => {
        for (let off = from; off < to; off += piece) {
          const end = Math.min(to, off + piece);
          await user.write(body.subarray(off, end), false);
          for (const deadline = Date.now() + STALL_MS; received() < end; await Bun.sleep(2)) {
            if (Date.now() > deadline) t.fail({ message: `An upload sent one ${piece}-byte piece at a time stalled after ${received()} bytes: nothing more arrived for ${STALL_MS / 1000} s.`, expected: `${end} bytes`, received: `${received()} bytes`, hint: GRANTS });
          }
        }
      };
      /** Holds the client's grants back, sends BLAST bytes at once, and measures how many get through on the window the server has left. */
      const window = async (from: number) => {
        await Bun.sleep(100); // let grants already sent land first
        relay.hold();
        const before = received();
        void user.write(body.subarray(from, from + BLAST), false).catch(() => {});
        let last = -1;
        for (const deadline = Date.now() + 3000; received() !== last && Date.now() < deadline; ) {
          last = received();
          await Bun.sleep(300);
        }
        const through = received() - before;
        relay.release();
        for (const deadline = Date.now() + 5000; received() < from + BLAST && Date.now() < deadline; ) await Bun.sleep(10);
        return through;
      };
      user.log(`> (${WARM_UP >> 10} KiB of body in ${piece}-byte pieces, each once the local service has the one before)`);
      await pingPong(0, WARM_UP);
      const first = await window(WARM_UP);
      t.log.note(`with the client's grants held back, ${first} bytes reached the local service (the window after ${WARM_UP >> 10} KiB)`);
      user.log(`> (${LONG >> 20} MiB of body in ${piece}-byte pieces)`);
      await pingPong(WARM_UP + BLAST, WARM_UP + BLAST + LONG);
      const second = await window(WARM_UP + BLAST + LONG);
      t.log.note(`with the client's grants held back again, ${second} bytes reached the local service (the window after ${(LONG + WARM_UP + BLAST) >> 20} MiB)`);
      if (second < first / 2) {
        t.fail({
          message: `With the client's window grants held back, the server could send ${first} bytes of an upload after ${WARM_UP >> 10} KiB, but only ${second} bytes after ${LONG >> 20} MiB more (sent in ${piece}-byte pieces): the stream's window shrank as the transfer went on.`,
          expected: `at least ${Math.ceil(first / 2)} bytes (half the window at the start)`,
          received: `${second} bytes`,
          hint: GRANTS,
        });
      }
      await user.until(() => user.ended, 5000);
      const reply = user.bytes().toString("latin1");
      t.expectEqual(reply.slice(reply.indexOf("\r\n\r\n") + 4), sha256(body), { message: "The local service received a different body (its sha256) than the public user sent.", hint: "Every byte, in order, once." });
    },
  },
]);
