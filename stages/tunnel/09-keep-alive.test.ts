import { curl, CURL_PACKAGE } from "../../harness/clients/http.ts";
import { LocalHttpService } from "../../harness/clients/local-service.ts";
import { TcpProxy } from "../../challenges/tunnel/clients/tcp-proxy.ts";
import { publicUrl, READY, startTunnelClient, startTunnelServer } from "../../challenges/tunnel/clients/tunnel.ts";
import { stage } from "../../harness/stage/define.ts";

/** The keep-alive interval the tests ask for: a connection silent for 3 of them is dead. */
const KEEPALIVE_MS = 250;
/** How soon after a freeze a side must have given the connection up: 3 intervals (0.75 s), a check interval, a reconnection's first backoff, and room for a loaded machine (the reference: about 1 s). */
const NOTICE_MS = 2000;

const CLIENT_PROBES = `The client must notice a connection that went silent: send a keep-alive probe every --keepalive-ms (the reference's PING, answered by PONG, like HTTP/2's PING, RFC 9113 §6.7) and treat a connection from which nothing at all has arrived for 3 intervals as lost — then reconnect as in stage 6. TCP alone may not notice for many minutes: the network may drop packets silently.`;
const SERVER_PROBES = `The server must notice a dead client connection too: probe it every --keepalive-ms and drop a connection silent for 3 intervals, freeing its name (and its streams: 502 for the requests in flight). Otherwise the name stays taken by a connection that no longer exists.`;

const TAKEN_WHILE_BACK = "A client that notices a dead connection before the server does comes back to find its own name still held by the old connection: treat that refusal as one more failed attempt, and keep retrying with backoff until the server has freed the name. Only a wrong token (or a refusal at the very first registration) ends the client.";

export default stage(import.meta, [
  {
    name: "a connection that dies silently is noticed: the client reconnects and the name works again",
    async run(t) {
      const server = await startTunnelServer(t, { keepAliveMs: KEEPALIVE_MS });
      const proxy = await TcpProxy.start(t, server.controlPort);
      const name = t.rand.word();
      const local = await LocalHttpService.start(t, "local service", (req) => req.reply(200, [], `served ${req.target}`));
      const client = await startTunnelClient(t, { serverPort: proxy.port, token: server.token, http: name, to: local.port, keepAliveMs: KEEPALIVE_MS });
      await curl(t, publicUrl(server, name, "/before").args, { message: "GET /before through the tunnel failed.", hint: "Stage 2's forwarding should work through a relay too." });
      const before = proxy.accepted;
      proxy.freeze();
      const frozenAt = Date.now();
      while (proxy.accepted === before && Date.now() - frozenAt < NOTICE_MS && client.process.exitCode === null) await Bun.sleep(20);
      if (proxy.accepted === before) t.fail({ message: `The client's connection went silent (nothing forwarded, nothing closed); with --keepalive-ms ${KEEPALIVE_MS} the client should have noticed after 3 intervals (${(3 * KEEPALIVE_MS) / 1000} s) and reconnected, but made no new connection within ${NOTICE_MS / 1000} s.`, hint: CLIENT_PROBES });
      t.log.note(`the client connected again ${Date.now() - frozenAt} ms after the freeze`);
      const deadline = Date.now() + 5000;
      while (client.process.stdout.text().split("\n").filter((l) => READY.test(l)).length < 2) {
        if (Date.now() > deadline || client.process.exitCode !== null) {
          t.fail({
            message: `The client reconnected but was not registered again within 5 s of the freeze: the server still holds "${name}" for the dead connection.`,
            received: client.process.output.tail(6),
            hint: SERVER_PROBES,
          });
        }
        await Bun.sleep(20);
      }
      const path = `/after/${t.rand.int(1000, 9999)}`;
      const { responses } = await curl(t, publicUrl(server, name, path).args, { message: `GET ${path} failed after the client reconnected.`, hint: CLIENT_PROBES });
      t.expectEqual(`${responses[0]!.status} ${responses[0]!.body.toString()}`, `200 served ${path}`, { message: `After reconnecting, the name "${name}" should reach the local service again.`, hint: SERVER_PROBES });
    },
  },
  {
    name: "a request in flight when the connection dies silently gets 502",
    async run(t) {
      const server = await startTunnelServer(t, { keepAliveMs: KEEPALIVE_MS });
      const proxy = await TcpProxy.start(t, server.controlPort);
      const name = t.rand.word();
      const local = await LocalHttpService.start(t, "local service", () => {});
      await startTunnelClient(t, { serverPort: proxy.port, token: server.token, http: name, to: local.port, keepAliveMs: KEEPALIVE_MS });
      const pending = t.client(CURL_PACKAGE, ["curl", "-sS", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}", ...publicUrl(server, name, "/slow").args], { timeoutMs: 8000 });
      if (!(await local.waitRequests(1, 3000))) t.fail({ message: "GET /slow never reached the local service.", hint: "Stage 2's forwarding should work through a relay too." });
      proxy.freeze();
      const frozenAt = Date.now();
      const r = await pending;
      const waited = Date.now() - frozenAt;
      if (r.stdout === "000" || r.code === 28) t.fail({ message: "A request was in flight when the client's connection went silent; curl got no response in 5 s: the server never noticed the connection was dead.", expected: "status 502 about a second after the freeze", received: r.output.trim(), hint: SERVER_PROBES });
      t.expectEqual(r.stdout, "502", { message: "A request in flight when the client's connection went silent should get 502 Bad Gateway.", hint: SERVER_PROBES });
      if (waited > NOTICE_MS + 500) t.fail({ message: `The 502 came ${(waited / 1000).toFixed(1)} s after the client's connection went silent; with --keepalive-ms ${KEEPALIVE_MS} the server should notice after 3 intervals (${(3 * KEEPALIVE_MS) / 1000} s).`, expected: `within ${(NOTICE_MS + 500) / 1000} s`, received: `${(waited / 1000).toFixed(1)} s`, hint: SERVER_PROBES });
    },
  },
  {
    name: "a client that comes back before the server has noticed keeps trying while its old name is still taken",
    timeout: 15,
    async run(t) {
      // The server probes 4 times less often: it gives the dead connection up about 3 s after the client does.
      const server = await startTunnelServer(t, { keepAliveMs: 4 * KEEPALIVE_MS });
      const proxy = await TcpProxy.start(t, server.controlPort);
      const name = t.rand.word();
      const local = await LocalHttpService.start(t, "local service", (req) => req.reply(200, [], `served ${req.target}`));
      const client = await startTunnelClient(t, { serverPort: proxy.port, token: server.token, http: name, to: local.port, keepAliveMs: KEEPALIVE_MS });
      proxy.freeze();
      const frozenAt = Date.now();
      const deadline = frozenAt + 8000;
      while (client.process.stdout.text().split("\n").filter((l) => READY.test(l)).length < 2) {
        if (client.process.exitCode !== null) {
          t.fail({
            message: `The client exited (code ${client.process.exitCode}) ${((Date.now() - frozenAt) / 1000).toFixed(1)} s after its connection went silent: it came back before the server had given up the old connection, found its own name "${name}" taken, and stopped.`,
            received: client.process.output.tail(6),
            hint: TAKEN_WHILE_BACK,
          });
        }
        if (Date.now() > deadline) t.fail({ message: `The client was not registered again within 8 s of the freeze (the server, probing every ${4 * KEEPALIVE_MS} ms, frees the name after about 3 s).`, received: client.process.output.tail(6), hint: TAKEN_WHILE_BACK });
        await Bun.sleep(20);
      }
      const { responses } = await curl(t, publicUrl(server, name, "/back").args, { message: "GET /back failed after the client registered again.", hint: TAKEN_WHILE_BACK });
      t.expectEqual(`${responses[0]!.status}`, "200", { message: `After registering again, the name "${name}" should reach the local service.`, hint: TAKEN_WHILE_BACK });
    },
  },
]);
