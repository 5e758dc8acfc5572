import { expectBody, expectStatus } from "../../../harness/clients/http.ts";
import { HttpUpstream, requestFor, startProxy, viaProxy } from "../../../challenges/http/clients/http-upstream.ts";
import { stage } from "../../../harness/stage/define.ts";

const POOL = "Keep connections to upstreams open between requests (HTTP/1.1 connections are persistent unless either side says Connection: close, RFC 9112 §9.3): after a whole response, put the connection in a pool of idle connections for that upstream address and take the next request's connection from there, opening a new one only when none is idle. Do not send Connection: close upstream.";
const NO_MIXUP = "A pooled connection carries one request at a time: take it out of the pool while its request is in flight, and put it back only after the whole response has been read. Never hand a busy connection to another request.";
const STALE = "An upstream may close an idle connection at any time (RFC 9112 §9.3.1): drop a pooled connection when its peer closes it; if a request on a reused connection gets no response bytes at all before the close, retry it once on a fresh connection instead of answering 502.";

const N = 20;
/** At most this many upstream connections for N sequential requests (1 is enough; allow a few spares). */
const MAX_CONNECTIONS = 4;

export default stage(import.meta, [
  {
    name: `${N} requests one after another, each from a new client connection, share few upstream connections`,
    async run(t) {
      const app = await HttpUpstream.start(t, "app");
      const proxy = await startProxy(t, [`upstream app round-robin ${app.address}`, "route * / app"]);
      for (let i = 1; i <= N; i++) {
        const res = await viaProxy(t, proxy, requestFor("GET", `/item/${i}`, "app.test"), { message: `No response to request ${i} of ${N} through the proxy within 3 s.`, hint: POOL });
        expectStatus(res, 200, { message: `Request ${i} of ${N}: the upstream answered 200; the client should get it.`, hint: POOL });
        expectBody(res, `app GET /item/${i}\n`, { message: `Request ${i} of ${N} got another request's response.`, hint: NO_MIXUP });
      }
      t.log.output(`(upstream app: ${app.served.length} requests on ${app.connections} connections)`);
      if (app.connections > MAX_CONNECTIONS) {
        t.fail({
          message: `Your proxy opened ${app.connections} connections to the upstream for ${N} requests that came one after another: it does not reuse (pool) upstream connections.`,
          expected: `at most ${MAX_CONNECTIONS} upstream connections`,
          received: `${app.connections} upstream connections for ${app.served.length} requests`,
          hint: POOL,
        });
      }
    },
  },
  {
    name: "concurrent requests through pooled connections each get their own response",
    async run(t) {
      const app = await HttpUpstream.start(t, "app", { handler: (req) => ({ body: `answer to ${req.target}\n`, delayMs: Number(req.target.split("/").pop()) % 4 * 40 }) });
      const proxy = await startProxy(t, [`upstream app round-robin ${app.address}`, "route * / app"]);
      // Warm the pool, then send 8 at once, twice.
      await viaProxy(t, proxy, requestFor("GET", "/warm/0", "app.test"), { message: "No response through the proxy within 3 s.", hint: POOL });
      for (const round of [1, 2]) {
        const settled = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) => viaProxy(t, proxy, requestFor("GET", `/r${round}/${i}`, "app.test"), { message: `No response to concurrent request /r${round}/${i} within 3 s.`, hint: NO_MIXUP })),
        );
        // Requests pipelined on one upstream connection explain lost or swapped responses best: report that first.
        if (app.pipelined > 0) t.fail({ message: `The proxy sent a request on an upstream connection whose previous request was still being answered (${app.pipelined} time(s)): one request at a time per pooled connection.`, expected: "no request while one is in flight on the same connection", received: `${app.pipelined} pipelined`, hint: NO_MIXUP });
        const results = settled.map((s) => {
          if (s.status === "rejected") throw s.reason;
          return s.value;
        });
        results.forEach((res, i) => expectBody(res, `answer to /r${round}/${i}\n`, { message: `Concurrent request /r${round}/${i} got the wrong response body.`, hint: NO_MIXUP }));
      }
      t.log.output(`(upstream app: ${app.served.length} requests on ${app.connections} connections, at most ${app.maxInFlight} at once)`);
    },
  },
  {
    name: "after the upstream closes an idle pooled connection, the next request still succeeds",
    async run(t) {
      const app = await HttpUpstream.start(t, "app", { idleCloseMs: 150 });
      const proxy = await startProxy(t, [`upstream app round-robin ${app.address}`, "route * / app"]);
      const first = await viaProxy(t, proxy, requestFor("GET", "/one", "app.test"), { message: "No response through the proxy within 3 s.", hint: POOL });
      expectStatus(first, 200, { message: "The upstream answered 200; the client should get it.", hint: POOL });
      t.log.output("(the test waits 600 ms: the upstream closes its idle connection after 150 ms)");
      await Bun.sleep(600);
      const second = await viaProxy(t, proxy, requestFor("GET", "/two", "app.test"), { message: "No response through the proxy within 3 s after the upstream had closed its idle connection.", hint: STALE });
      expectStatus(second, 200, { message: "The upstream had closed the idle pooled connection (as servers may); the next request should still get the upstream's 200.", hint: STALE });
      expectBody(second, "app GET /two\n", { message: "The request after the idle close got the wrong body.", hint: STALE });
    },
  },
  {
    name: "a pooled connection the upstream closes as the next request arrives: that request is retried on a fresh connection",
    async run(t) {
      // The close comes with the request, not before it: a proxy cannot see it coming, only retry.
      const app = await HttpUpstream.start(t, "app", { handler: (req) => (req.nth >= 2 ? "close" : { headers: [["X-Upstream", "app"]], body: `app ${req.method} ${req.target}\n` }) });
      const proxy = await startProxy(t, [`upstream app round-robin ${app.address}`, "route * / app"]);
      t.log.output("(upstream app answers the first request on each connection, and closes the connection, without a byte, when a second request arrives on it)");
      for (const [i, path] of ["/first", "/second", "/third"].entries()) {
        const res = await viaProxy(t, proxy, requestFor("GET", path, "app.test"), { message: `No response to GET ${path} through the proxy within 3 s.`, hint: STALE });
        const again = i === 0 ? "" : ` Your proxy sent it on the pooled connection of the previous request, and the upstream closed that connection without answering (as RFC 9112 §9.3.1 lets it): a GET that got no response byte on a reused connection was never processed; retry it once on a fresh connection instead of answering ${res.status}.`;
        expectStatus(res, 200, { message: `GET ${path} (request ${i + 1} of 3, one after another) should get the upstream's 200.${again}`, hint: STALE });
        expectBody(res, `app GET ${path}\n`, { message: `GET ${path} got the wrong body.`, hint: STALE });
      }
      t.log.output(`(upstream app: ${app.served.length} requests on ${app.connections} connections)`);
    },
  },
]);
