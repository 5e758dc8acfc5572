import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { curl, CURL_PACKAGE } from "../../harness/clients/http.ts";
import { bulkBytes, LocalHttpService, responseHead, sha256 } from "../../harness/clients/local-service.ts";
import { StreamSocket } from "../../challenges/tunnel/clients/stream-socket.ts";
import { connectionsTo, publicUrl, startTunnelClient, startTunnelServer } from "../../challenges/tunnel/clients/tunnel.ts";
import { stage } from "../../harness/stage/define.ts";

const ONE_CONNECTION = "Carry every public connection as a stream on the client's one connection to the server: give each a stream id and tag every piece of data with it (the reference's DATA frames, RFC 9113 §5 is the model). Opening a connection to the server per request is what the tunnel is meant to avoid.";
const NO_BUFFERING = "Forward bytes as they arrive, in pieces (the reference cuts DATA frames at 32 KiB): never wait for a whole body before passing it on. A tunnel that buffers whole bodies delays every response by its full size and needs memory for all of it.";

/** How many concurrent requests the multiplexing case sends. */
const CONCURRENT = 8;
const STREAMED = 8 << 20;
const FIRST_PART = 512 << 10;

export default stage(import.meta, [
  {
    name: `${CONCURRENT} concurrent requests travel together over the client's one connection`,
    async run(t) {
      const server = await startTunnelServer(t);
      const name = t.rand.word();
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      const local = await LocalHttpService.start(t, "local service", async (req) => {
        await released;
        await req.reply(200, [], `answer to ${req.target}`);
      });
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      const paths = Array.from({ length: CONCURRENT }, (_, i) => `/req/${i}/${t.rand.int(1000, 9999)}`);
      const curls = paths.map((p) => curl(t, publicUrl(server, name, p).args, { message: `curl could not get GET ${p} through the tunnel while ${CONCURRENT} requests were in flight.`, hint: ONE_CONNECTION }));
      const all = await local.waitRequests(CONCURRENT, 3000);
      const held = connectionsTo(server.controlPort);
      release();
      if (!all) t.fail({ message: `Only ${local.requests.length} of ${CONCURRENT} requests sent at once reached the local service within 3 s (it answers none until all have arrived).`, hint: `Requests in flight at the same time must be forwarded at the same time. ${ONE_CONNECTION}` });
      t.expectEqual(String(held), "1", { message: `While ${CONCURRENT} requests were in flight, the client held ${held} TCP connections to the server's control port (from /proc/net/tcp): one connection per request, not one connection in all.`, hint: ONE_CONNECTION });
      const results = await Promise.all(curls);
      results.forEach((r, i) => t.expectEqual(r.responses[0]!.body.toString(), `answer to ${paths[i]}`, { message: `The response to GET ${paths[i]} got mixed up with another stream's.`, hint: "Deliver each stream's bytes to its own connection: the stream id on every frame says which." }));
    },
  },
  {
    name: "a large response streams: its first bytes reach the public side before the local service sends the rest",
    async run(t) {
      const server = await startTunnelServer(t);
      const name = t.rand.word();
      const body = bulkBytes(t.rand.key("download"), STREAMED);
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      const local = await LocalHttpService.start(t, "local service", async (req) => {
        await req.conn.write(responseHead(200, [["Content-Type", "application/octet-stream"], ["Content-Length", String(STREAMED)]]), false);
        await req.conn.write(body.subarray(0, FIRST_PART), false);
        await released;
        await req.conn.write(body.subarray(FIRST_PART), false);
        req.conn.end();
      });
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      const user = await StreamSocket.connect(t, "public user", server.httpPort);
      await user.write(`GET /big HTTP/1.1\r\nHost: ${name}.localhost:${server.httpPort}\r\n\r\n`);
      const early = await user.until(() => user.received >= 64 << 10, 3000);
      release();
      if (!early) t.fail({ message: `The local service sent the header and the first ${FIRST_PART >> 10} KiB of an ${STREAMED >> 20} MiB body, then waited; the public side got only ${user.received} bytes in 3 s. The tunnel is buffering whole bodies.`, hint: NO_BUFFERING });
      t.log.output(`(the public user had ${user.received} bytes before the local service sent the rest)`);
      await user.until(() => user.ended, 10000);
      const all = user.bytes();
      const start = all.indexOf("\r\n\r\n") + 4;
      t.expectEqual(`${all.length - start} bytes, sha256 ${sha256(all.subarray(start))}`, `${STREAMED} bytes, sha256 ${sha256(body)}`, { message: "The body the public side received differs from the one the local service sent.", hint: "Every byte, in order, once: check how you split and reassemble DATA frames." });
    },
  },
  {
    name: "a large request body streams to the local service as it arrives",
    async run(t) {
      const server = await startTunnelServer(t);
      const name = t.rand.word();
      const body = bulkBytes(t.rand.key("upload"), STREAMED);
      const local = await LocalHttpService.start(t, "local service", async (req) => {
        await req.waitBody(10000);
        await req.reply(200, [], sha256(req.body()));
      });
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      const user = await StreamSocket.connect(t, "public user", server.httpPort);
      await user.write(`POST /upload HTTP/1.1\r\nHost: ${name}.localhost:${server.httpPort}\r\nContent-Length: ${STREAMED}\r\n\r\n`);
      await user.write(body.subarray(0, FIRST_PART));
      const early = await local.waitRequests(1, 3000) && (await local.requests[0]!.waitBody(3000, 64 << 10));
      if (!early) t.fail({ message: `The public user sent the header and the first ${FIRST_PART >> 10} KiB of an ${STREAMED >> 20} MiB request body, then waited; the local service got ${local.requests[0] ? `${local.requests[0].bodyReceived} bytes of body` : "no request"} in 3 s. The tunnel is buffering whole bodies.`, hint: NO_BUFFERING });
      await user.write(body.subarray(FIRST_PART));
      await user.until(() => user.ended, 10000);
      const reply = user.bytes().toString("latin1");
      t.expectEqual(reply.slice(reply.indexOf("\r\n\r\n") + 4), sha256(body), { message: "The local service received a different body (its sha256 below) than the public user sent.", hint: "Every byte, in order, once." });
    },
  },
  {
    name: "curl downloads and uploads 16 MiB through the tunnel intact",
    async run(t) {
      const server = await startTunnelServer(t);
      const name = t.rand.word();
      const down = bulkBytes(t.rand.key("down"), 16 << 20);
      const local = await LocalHttpService.start(t, "local service", async (req) => {
        if (req.method === "GET") return req.reply(200, [], down);
        await req.waitBody(10000);
        await req.reply(200, [], sha256(req.body()));
      });
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      const out = join(t.dir, "download.bin");
      const get = await t.client(CURL_PACKAGE, ["curl", "-sS", "--max-time", "8", "-o", out, "-w", "%{http_code}", ...publicUrl(server, name, "/file").args], { timeoutMs: 10000 });
      t.expectEqual(get.stdout, "200", { message: "curl should download the 16 MiB file with status 200.", hint: NO_BUFFERING });
      t.expectEqual(sha256(readFileSync(out)), sha256(down), { message: "The 16 MiB file curl downloaded differs (sha256) from the one the local service sent.", hint: "Every byte, in order, once." });
      const up = join(t.dir, "upload.bin");
      const upBody = bulkBytes(t.rand.key("up"), 16 << 20);
      writeFileSync(up, upBody);
      const post = await t.client(CURL_PACKAGE, ["curl", "-sS", "--max-time", "8", "--data-binary", `@${up}`, "-H", "Content-Type: application/octet-stream", "-H", "Expect:", ...publicUrl(server, name, "/upload").args], { timeoutMs: 10000 });
      t.expectEqual(post.stdout, sha256(upBody), { message: "The local service received a different 16 MiB body (its sha256) than curl uploaded.", hint: "Every byte, in order, once." });
    },
  },
]);
