import { curl, CURL_PACKAGE } from "../../harness/clients/http.ts";
import { LocalHttpService } from "../../harness/clients/local-service.ts";
import { TcpProxy } from "../../challenges/tunnel/clients/tcp-proxy.ts";
import { publicUrl, startTunnelClient, startTunnelServer, waitForReadyLine } from "../../challenges/tunnel/clients/tunnel.ts";
import { stage } from "../../harness/stage/define.ts";

const RECONNECT = "When the connection to the server is lost, the client does not exit: it waits a moment and connects again, registering the same name, with exponential backoff between failed attempts (e.g. 100 ms, 200 ms, 400 ms… up to a few seconds, with jitter). The server frees a name when its client's connection goes, so the same name can be registered again.";
/** Connection attempts allowed while the server is unreachable for 1.5 s (exponential backoff from 10 ms makes 8). */
const MAX_ATTEMPTS = 10;
/** The longest wait allowed between two attempts: a cap of 3 s, jitter included, and room for a loaded machine. */
const MAX_GAP_MS = 3500;
/** Attempts the outage lasts for (an uncapped backoff from 100 ms has waited 6.4 s by the 7th), bounded by OUTAGE_MS. */
const LONG_RUN = 7;
const OUTAGE_MS = 11500;
/** After a successful registration the backoff starts again from its shortest wait: the first attempt after a cut comes within this (a backoff left at a 2 s cap waits at least 1.6 s). */
const RESET_MS = 1000;
const FAIL_CLEANLY = "When a client's connection is lost, every stream on it is lost too: answer each public request still waiting for its response with 502 Bad Gateway (RFC 9110 §15.6.3) and close it, rather than leaving it open with no answer.";

export default stage(import.meta, [
  {
    name: "after its connection is cut, the client reconnects and the public name works again",
    async run(t) {
      const server = await startTunnelServer(t);
      const proxy = await TcpProxy.start(t, server.controlPort);
      const name = t.rand.word();
      const local = await LocalHttpService.start(t, "local service", (req) => req.reply(200, [], `served ${req.target}`));
      const client = await startTunnelClient(t, { serverPort: proxy.port, token: server.token, http: name, to: local.port });
      await curl(t, publicUrl(server, name, "/before").args, { message: "GET /before through the tunnel failed.", hint: "Stage 2's forwarding should work through a relay too." });
      const before = proxy.accepted;
      proxy.cut();
      const deadline = Date.now() + 5000;
      while (proxy.accepted === before && Date.now() < deadline && client.process.exitCode === null) await Bun.sleep(20);
      if (proxy.accepted === before) {
        t.fail({
          message: client.process.exitCode !== null ? `The client exited (code ${client.process.exitCode}) when its connection to the server was cut: no reconnection.` : "The client did not reconnect within 5 s after its connection to the server was cut: no reconnection.",
          hint: RECONNECT,
        });
      }
      await waitForReadyLine(t, client, 5000, 1, { message: "After its connection was cut, the client connected again but was not registered again (no second \"tunnel ready\" line): if the server still held its name, it did not free the name when the connection that registered it went.", hint: RECONNECT });
      const path = `/after/${t.rand.int(1000, 9999)}`;
      const { responses } = await curl(t, publicUrl(server, name, path).args, { message: `GET ${path} through the tunnel failed after the client reconnected.`, hint: RECONNECT });
      t.expectEqual(`${responses[0]!.status} ${responses[0]!.body.toString()}`, `200 served ${path}`, { message: `After reconnecting, the name "${name}" should reach the local service again.`, hint: RECONNECT });
    },
  },
  {
    name: "while the server is unreachable, the client retries with backoff, never waiting more than 3.5 s, then comes back and starts again from a short wait",
    timeout: 25,
    async run(t) {
      const server = await startTunnelServer(t);
      const proxy = await TcpProxy.start(t, server.controlPort);
      const name = t.rand.word();
      const local = await LocalHttpService.start(t, "local service", (req) => req.reply(200, [], `served ${req.target}`));
      const client = await startTunnelClient(t, { serverPort: proxy.port, token: server.token, http: name, to: local.port });
      proxy.refuse(true);
      proxy.cut();
      const cutAt = Date.now();
      const before = proxy.accepted;
      await Bun.sleep(1500);
      const attempts = proxy.accepted - before;
      t.log.note(`the client made ${attempts} connection attempts in 1.5 s`);
      if (attempts === 0) t.fail({ message: "The client made no attempt to reconnect in the 1.5 s after its connection was cut.", hint: RECONNECT });
      if (attempts > MAX_ATTEMPTS) t.fail({ message: `The client made ${attempts} connection attempts in the 1.5 s the server was unreachable (at most ${MAX_ATTEMPTS} allowed): it retries without backing off.`, expected: `at most ${MAX_ATTEMPTS} attempts`, received: String(attempts), hint: `Wait between attempts, longer each time: ${RECONNECT}` });
      // The server stays down until the client has made LONG_RUN attempts (or for OUTAGE_MS): long enough for an uncapped backoff to wait far more than the cap.
      for (;;) {
        const made = proxy.accepted - before;
        const last = made > 0 ? proxy.acceptedAt[proxy.acceptedAt.length - 1]! : cutAt;
        const gap = Date.now() - last;
        const times = () => proxy.acceptedAt.slice(before).map((at) => ((at - cutAt) / 1000).toFixed(2));
        // A client that stopped trying: say so rather than blame its backoff.
        if (client.process.exitCode !== null) t.fail({ message: `The client exited (code ${client.process.exitCode}) while the server was unreachable, after ${made} attempts: it must keep trying for as long as the server is away, however long that is.`, expected: "the client still running and retrying", received: `attempts at ${times().join(", ")} s after the cut, then the client exited`, hint: RECONNECT });
        if (gap > MAX_GAP_MS) {
          t.fail({
            message: `While the server was unreachable, the client waited more than ${MAX_GAP_MS / 1000} s between two connection attempts: its backoff has no cap (or one too long), so after an outage it comes back late.`,
            expected: `an attempt at least every ${MAX_GAP_MS / 1000} s`,
            received: `attempts at ${times().join(", ")} s after the cut, then none for ${(gap / 1000).toFixed(1)} s`,
            hint: `Cap the backoff: double the wait after each failed attempt, but never beyond a few seconds (the reference: 2 s), jitter included. ${RECONNECT}`,
          });
        }
        if (made >= LONG_RUN || Date.now() - cutAt > OUTAGE_MS) break;
        await Bun.sleep(20);
      }
      t.log.note(`the client made ${proxy.accepted - before} attempts in ${((Date.now() - cutAt) / 1000).toFixed(1)} s`);
      proxy.refuse(false);
      await waitForReadyLine(t, client, 5000, 1, { message: "Once the server was reachable again, the client was not registered again within 5 s (no second \"tunnel ready\" line).", hint: RECONNECT });
      const { responses } = await curl(t, publicUrl(server, name, "/back").args, { message: "GET /back through the tunnel failed after the client reconnected.", hint: RECONNECT });
      t.expectEqual(String(responses[0]!.status), "200", { message: "After reconnecting, the public name should work again.", hint: RECONNECT });
      // Registered again: the next loss starts from the shortest wait, not from where the outage left off.
      const again = proxy.accepted;
      proxy.cut();
      const cutAgain = Date.now();
      while (proxy.accepted === again && Date.now() - cutAgain < 5000) await Bun.sleep(10);
      const after = Date.now() - cutAgain;
      t.log.note(`after a second cut, the client connected again ${after} ms later`);
      if (after > RESET_MS) t.fail({ message: `After the outage the client registered again; when its connection was cut once more, it waited ${(after / 1000).toFixed(1)} s before trying: its backoff was not reset by the successful registration.`, expected: `a first attempt within ${RESET_MS / 1000} s`, received: `${(after / 1000).toFixed(1)} s`, hint: `Start again from the shortest wait once a registration succeeds. ${RECONNECT}` });
    },
  },
  {
    name: "a request in flight when the connection is cut gets 502 Bad Gateway, not a hang",
    async run(t) {
      const server = await startTunnelServer(t);
      const proxy = await TcpProxy.start(t, server.controlPort);
      const name = t.rand.word();
      // The local service never answers /slow: the request is in flight until the cut.
      const local = await LocalHttpService.start(t, "local service", () => {});
      await startTunnelClient(t, { serverPort: proxy.port, token: server.token, http: name, to: local.port });
      const pending = t.client(CURL_PACKAGE, ["curl", "-sS", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}", ...publicUrl(server, name, "/slow").args], { timeoutMs: 8000 });
      if (!(await local.waitRequests(1, 3000))) t.fail({ message: "GET /slow never reached the local service.", hint: "Stage 2's forwarding should work through a relay too." });
      proxy.cut();
      const cutAt = Date.now();
      const r = await pending;
      const waited = Date.now() - cutAt;
      if (r.stdout === "000" || r.code === 28) t.fail({ message: `A request was in flight when the client's connection was cut; curl got no response and gave up ${(waited / 1000).toFixed(1)} s later: it hung.`, expected: "status 502 soon after the cut", received: r.output.trim(), hint: FAIL_CLEANLY });
      t.expectEqual(r.stdout, "502", { message: "A request in flight when the client's connection was cut should get 502 Bad Gateway.", hint: FAIL_CLEANLY });
    },
  },
]);
