import { CURL_PACKAGE, expectHeader, expectStatus, frameResponse } from "../../harness/clients/http.ts";
import { visible } from "../../harness/report/show.ts";
import { LocalHttpService, startTcpService } from "../../harness/clients/local-service.ts";
import { StreamSocket } from "../../challenges/tunnel/clients/stream-socket.ts";
import { publicUrl, startTunnelClient, startTunnelServer } from "../../challenges/tunnel/clients/tunnel.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const MAX_STREAMS = "Count each tunnel's open public connections; at --max-streams, refuse a new one — for HTTP with 503 Service Unavailable (RFC 9110 §15.6.4), with Retry-After — and let new ones in again as soon as one has finished.";
const IDLE = "Close a public connection on which no byte has moved, either way, for --idle-timeout-ms (the reference uses the socket's own timeout), and close its stream on the client's side too. Any byte resets the clock.";
const IDLE_MS = 500;
const RELEASE = "A stream's slot is free again however the stream ends: a response completed, the local service hanging up, refusing or resetting, the public user resetting its connection, a RESET, an idle timeout. Count a stream as finished on every path that ends it, not only on a clean end.";
/** Aborted streams in a row in the slot-release case: more than the limit of 2. */
const ABORTED = 5;

/** curl's status code for one GET (000 when it got none). */
async function status(t: CaseContext, args: string[]): Promise<string> {
  const r = await t.client(CURL_PACKAGE, ["curl", "-sS", "--max-time", "4", "-o", "/dev/null", "-w", "%{http_code}", ...args], { timeoutMs: 6000 });
  return r.stdout.trim();
}

export default stage(import.meta, [
  {
    name: "--max-streams 2: a third connection at once gets 503, and new ones get in once one has finished",
    async run(t) {
      const server = await startTunnelServer(t, { args: ["--max-streams", "2"] });
      const name = t.rand.word();
      const releases = new Map<string, () => void>();
      const local = await LocalHttpService.start(t, "local service", async (req) => {
        if (req.target.startsWith("/hold/")) await new Promise<void>((r) => releases.set(req.target, r));
        await req.reply(200, [], `served ${req.target}`);
      });
      t.defer(() => releases.forEach((r) => r()));
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      const held = [status(t, publicUrl(server, name, "/hold/1").args), status(t, publicUrl(server, name, "/hold/2").args)];
      if (!(await local.waitRequests(2, 3000))) t.fail({ message: "Two requests sent at once did not both reach the local service within 3 s (the limit is 2).", hint: MAX_STREAMS });
      // The third from a raw connection that stays open after the answer, so that a request forwarded all the same surely reaches the local service.
      const user = await StreamSocket.connect(t, "third user", server.httpPort);
      await user.write(`GET /third HTTP/1.1\r\nHost: ${name}.localhost:${server.httpPort}\r\n\r\n`);
      await user.until(() => user.bytes().includes("\r\n\r\n"), 4000);
      const framed = frameResponse(user.bytes(), { closed: true });
      if (framed === "incomplete" || "error" in framed) {
        // Forwarded instead of refused: its answer may simply be slow to come back through the tunnel (a loaded machine).
        if (local.requests.some((r) => r.target === "/third")) return t.fail({ message: "With --max-streams 2 and two requests open on the tunnel, a third should be refused with 503 Service Unavailable, but it was forwarded to the local service.", received: `GET /third at the local service; ${visible(user.bytes()) || "nothing"} back within 4 s`, hint: MAX_STREAMS });
        return t.fail({ message: "With --max-streams 2 and two requests open on the tunnel, a third got no HTTP response within 4 s.", received: visible(user.bytes()) || "nothing", hint: MAX_STREAMS });
      }
      const third = framed.response;
      expectStatus(third, 503, { message: "With --max-streams 2 and two requests open on the tunnel, a third should be refused with 503 Service Unavailable.", hint: MAX_STREAMS });
      expectHeader(third, "Retry-After", /^(\d+|[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)$/, { message: "The 503 should say when to try again: a Retry-After field, in seconds or as an HTTP date (RFC 9110 §10.2.3).", hint: MAX_STREAMS });
      if (local.requests.length > 2) t.fail({ message: "The refused third request reached the local service anyway.", hint: MAX_STREAMS });
      // The limit is per tunnel: another tunnel on the same server, with nothing open, takes a request while the first is full.
      const otherName = `${name}b`;
      const other = await LocalHttpService.start(t, "other tunnel's local service", (req) => req.reply(200, [], `other ${req.target}`));
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: otherName, to: other.port });
      const elsewhere = await status(t, publicUrl(server, otherName, "/other").args);
      t.expectEqual(elsewhere, "200", { message: `While the tunnel "${name}" had its 2 connections open, a request to another tunnel, "${otherName}", with none open, should be served: --max-streams limits each tunnel, not the whole server.`, hint: MAX_STREAMS });
      releases.get("/hold/1")?.();
      t.expectEqual(await held[0]!, "200", { message: "The first held request should complete once the local service answers.", hint: MAX_STREAMS });
      // The server learns that the first connection finished a moment after curl does: allow a few tries.
      let fourth = "";
      for (let i = 0; i < 5 && fourth !== "200"; i++) {
        if (i > 0) await Bun.sleep(300);
        fourth = await status(t, publicUrl(server, name, "/fourth").args);
      }
      t.expectEqual(fourth, "200", { message: "Once one of the two open requests had finished, a new request should be let in.", hint: MAX_STREAMS });
      releases.get("/hold/2")?.();
      await held[1];
      // A refused request that was forwarded all the same may arrive a moment after its 503.
      if (local.requests.some((r) => r.target === "/third")) t.fail({ message: "The third request got its 503, but it reached the local service all the same.", hint: `${MAX_STREAMS} A refused connection never becomes a stream.` });
    },
  },
  {
    name: "--max-streams 2: more aborted streams than the limit (the local service or the public user resetting) give their slots back",
    async run(t) {
      const server = await startTunnelServer(t, { args: ["--max-streams", "2"] });
      const name = t.rand.word();
      const local = await LocalHttpService.start(t, "local service", async (req) => {
        if (req.target.startsWith("/drop/")) return void req.conn.sock.resetAndDestroy(); // the local service resets the connection without answering
        if (req.target.startsWith("/hang/")) return; // never answers: the public user resets its connection
        await req.reply(200, [], `served ${req.target}`);
      });
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      const aborted: string[] = [];
      for (let i = 0; i < ABORTED; i++) {
        const path = `/${i % 2 === 0 ? "drop" : "hang"}/${i}`;
        const user = await StreamSocket.connect(t, `public user ${i + 1}`, server.httpPort);
        await user.write(`GET ${path} HTTP/1.1\r\nHost: ${name}.localhost:${server.httpPort}\r\n\r\n`);
        const reached = await local.waitRequests(i + 1, 3000);
        const head = user.bytes().toString("latin1").split("\r\n")[0] ?? "";
        if (!reached) t.fail({ message: `After ${aborted.length} aborted requests (${aborted.join(", ") || "none"}), one after another, with --max-streams 2, GET ${path} did not reach the local service within 3 s: the aborted streams still hold their slots.`, expected: "the request forwarded to the local service", received: head || "no response yet", hint: `${MAX_STREAMS} ${RELEASE}` });
        if (path.startsWith("/drop/")) {
          await user.until(() => user.ended, 3000);
          user.destroy();
        } else {
          user.log("(the public user resets its connection: RST)");
          user.sock.resetAndDestroy();
        }
        aborted.push(path.startsWith("/drop/") ? `${path}: the local service reset its connection` : `${path}: the public user reset its connection`);
      }
      // The server learns of the last abort a moment later: allow a few tries.
      let last = "";
      for (let i = 0; i < 5 && last !== "200"; i++) {
        if (i > 0) await Bun.sleep(300);
        last = await status(t, publicUrl(server, name, "/after").args);
      }
      t.expectEqual(last, "200", { message: `With --max-streams 2, after ${ABORTED} streams that were aborted one after another (${aborted.join("; ")}), nothing is open on the tunnel: a new request should get in.`, hint: RELEASE });
    },
  },
  {
    name: "--max-streams 2 on a TCP tunnel: a third connection is closed at once, and a new one gets in once one has finished",
    async run(t) {
      const server = await startTunnelServer(t, { tcpPorts: 1, args: ["--max-streams", "2"] });
      const port = server.tcpPorts[0]!;
      const localConns: StreamSocket[] = [];
      const local = await startTcpService(t, "local service", (conn) => {
        localConns.push(conn);
        conn.sock.on("data", (d: Buffer) => conn.sock.write(d)); // echo
        conn.sock.on("end", () => conn.sock.end());
      });
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, tcp: port, to: local });
      const users: StreamSocket[] = [];
      for (let i = 1; i <= 2; i++) {
        const user = await StreamSocket.connect(t, `public user ${i}`, port);
        await user.write(`line ${i}\n`);
        if (!(await user.until(() => user.received >= 7, 3000))) t.fail({ message: `Public user ${i} got no echo through the TCP tunnel (the limit is 2).`, hint: "Stage 5's TCP forwarding should work here too." });
        users.push(user);
      }
      const third = await StreamSocket.connect(t, "public user 3", port);
      await third.write("line 3\n").catch(() => {});
      const closed = await third.until(() => third.ended, 2000);
      if (!closed) t.fail({ message: "With --max-streams 2 and two connections open on the TCP tunnel, a third connection was not closed within 2 s.", expected: "the connection closed at once", received: third.received > 0 ? `an echo: ${third.bytes().toString("latin1").trim()}` : "the connection still open", hint: MAX_STREAMS });
      if (localConns.length > 2) t.fail({ message: "The refused third TCP connection reached the local service anyway.", hint: MAX_STREAMS });
      users[0]!.end();
      await users[0]!.until(() => users[0]!.ended, 3000);
      let echoed = false;
      for (let i = 0; i < 5 && !echoed; i++) {
        if (i > 0) await Bun.sleep(300);
        const next = await StreamSocket.connect(t, `public user ${4 + i}`, port);
        await next.write("again\n").catch(() => {});
        echoed = await next.until(() => next.received >= 6, 1000);
      }
      if (!echoed) t.fail({ message: "Once one of the two TCP connections had finished, a new connection should be let in (and its line echoed).", hint: RELEASE });
    },
  },
  {
    name: `--idle-timeout-ms ${IDLE_MS}: an idle TCP connection is closed, a busy one is not`,
    async run(t) {
      const server = await startTunnelServer(t, { tcpPorts: 1, args: ["--idle-timeout-ms", String(IDLE_MS)] });
      const port = server.tcpPorts[0]!;
      const localConns: StreamSocket[] = [];
      const local = await startTcpService(t, "local service", (conn) => {
        localConns.push(conn);
        conn.sock.on("data", (d: Buffer) => {
          if (!d.toString("latin1").startsWith("talk")) return void conn.sock.write(d); // echo
          // "talk": from now on the local service alone speaks, a byte every 150 ms.
          const timer = setInterval(() => !conn.closed && conn.sock.write("."), 150);
          conn.sock.on("close", () => clearInterval(timer));
          t.defer(() => clearInterval(timer));
        });
      });
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, tcp: port, to: local });
      const busy = await StreamSocket.connect(t, "busy user", port);
      const idle = await StreamSocket.connect(t, "idle user", port);
      await idle.write("hello\n");
      if (!(await idle.until(() => idle.received >= 6, 3000))) t.fail({ message: "The idle user's first line did not come back from the echo service.", hint: "Stage 5's TCP forwarding should work here too." });
      const listener = await StreamSocket.connect(t, "listening user", port);
      await listener.write("talk\n");
      const idleSince = Date.now();
      let closedAfter = -1;
      for (let i = 0; i < 12; i++) {
        if (busy.ended) t.fail({ message: `A connection that sent a byte every 150 ms was closed after ${((Date.now() - idleSince) / 1000).toFixed(1)} s, with --idle-timeout-ms ${IDLE_MS}: every byte resets the idle clock, so a busy connection is never idle.`, hint: IDLE });
        await busy.write(".", false);
        await Bun.sleep(150);
        if (closedAfter < 0 && idle.ended) closedAfter = Date.now() - idleSince;
      }
      if (closedAfter < 0 && (await idle.until(() => idle.ended, 2000))) closedAfter = Date.now() - idleSince;
      if (busy.ended) t.fail({ message: `A connection that sent a byte every 150 ms was closed, with --idle-timeout-ms ${IDLE_MS}.`, hint: IDLE });
      if (listener.ended) t.fail({ message: `A connection on which the local service sent a byte every 150 ms (and the public user nothing) was closed after ${((Date.now() - idleSince) / 1000).toFixed(1)} s, with --idle-timeout-ms ${IDLE_MS}: bytes towards the public user count too.`, received: `${listener.received} bytes received, then the end`, hint: IDLE });
      if (!(await busy.until(() => busy.received >= 12, 2000))) t.fail({ message: `The busy user got ${busy.received} of its 12 echoed bytes.`, hint: "Stage 5's TCP forwarding should work here too." });
      if (closedAfter < 0) t.fail({ message: `A connection idle for ${((Date.now() - idleSince) / 1000).toFixed(1)} s was not closed, with --idle-timeout-ms ${IDLE_MS}.`, hint: IDLE });
      t.log.note(`the idle connection was closed ${closedAfter} ms after its last byte`);
      if (closedAfter < IDLE_MS - 100) t.fail({ message: `The idle connection was closed ${closedAfter} ms after its last byte, before --idle-timeout-ms ${IDLE_MS} had passed.`, hint: IDLE });
      const idleLocal = localConns[1];
      if (idleLocal && !(await idleLocal.until(() => idleLocal.ended, 2000))) t.fail({ message: "The idle public connection was closed, but the client kept its connection to the local service open.", hint: IDLE });
    },
  },
  {
    name: "--idle-timeout-ms 500: an idle public HTTP connection is closed too",
    async run(t) {
      const server = await startTunnelServer(t, { args: ["--idle-timeout-ms", String(IDLE_MS)] });
      const name = t.rand.word();
      // The local service takes the request and never answers: nothing moves either way after it.
      const local = await LocalHttpService.start(t, "local service", () => {});
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      const user = await StreamSocket.connect(t, "public user", server.httpPort);
      await user.write(`GET /${t.rand.word()} HTTP/1.1\r\nHost: ${name}.localhost:${server.httpPort}\r\n\r\n`);
      if (!(await local.waitRequests(1, 3000))) t.fail({ message: "The request never reached the local service.", hint: "Stage 2's forwarding should work here too." });
      const idleSince = Date.now();
      const closed = await user.until(() => user.ended, 3500);
      const after = Date.now() - idleSince;
      if (!closed) t.fail({ message: `A public HTTP connection on which nothing moved for ${(after / 1000).toFixed(1)} s (its request unanswered) was not closed, with --idle-timeout-ms ${IDLE_MS}: the idle timeout applies to every public connection, HTTP ones too, not only to TCP tunnels.`, expected: "the connection closed (with or without a response)", received: visible(user.bytes()) || "still open, nothing received", hint: IDLE });
      if (after < IDLE_MS - 100) t.fail({ message: `The idle HTTP connection was closed ${after} ms after its last byte, before --idle-timeout-ms ${IDLE_MS} had passed.`, hint: IDLE });
      const conn = local.requests[0]!.conn;
      if (!(await conn.until(() => conn.ended, 2000))) t.fail({ message: "The idle public HTTP connection was closed, but the client kept its connection to the local service open.", hint: IDLE });
    },
  },
]);
