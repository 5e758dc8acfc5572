import { curl, baseUrl, expectBody, expectStatus } from "../../../harness/clients/http.ts";
import { HttpUpstream, requestFor, startProxy, viaProxy } from "../../../challenges/http/clients/http-upstream.ts";
import { stage } from "../../../harness/stage/define.ts";

const BAD_GATEWAY = "When the upstream cannot be reached (connection refused) or closes the connection without a whole response, answer the client 502 Bad Gateway (RFC 9110 §15.6.3) and keep serving other requests.";
const NOT_HTTP = "An upstream's answer must be a valid HTTP response: a status line, then header lines whose names are tokens (RFC 9110 §5.1, RFC 9112 §5: no NUL, no spaces, no control characters), an empty line. An invalid response gets 502 Bad Gateway (RFC 9110 §15.6.3), not passed on; drop that connection.";
const TIMEOUT = "`timeout <ms>` in the config bounds the wait for an upstream's whole response: past it, give up on that upstream connection (close it) and answer 504 Gateway Timeout (RFC 9110 §15.6.5). Never leave the client waiting forever.";

/** The upstream timeout the config sets for this stage, in ms. */
const TIMEOUT_MS = 500;

export default stage(import.meta, [
  {
    name: "an upstream that refuses connections: 502, and other routes still work",
    async run(t) {
      const good = await HttpUpstream.start(t, "good");
      const nobody = await t.port();
      t.log.output(`(nothing listens on 127.0.0.1:${nobody}: connections there are refused)`);
      const proxy = await startProxy(t, [`timeout ${TIMEOUT_MS}`, `upstream dead round-robin 127.0.0.1:${nobody}`, `upstream good round-robin ${good.address}`, "route * /dead/ dead", "route * /good/ good"]);
      const r = await curl(t, ["-H", "Host: app.test", `${baseUrl(proxy)}/dead/x`], { message: "curl through the proxy to a refused upstream failed.", hint: BAD_GATEWAY });
      expectStatus(r.responses[r.responses.length - 1]!, 502, { message: "The upstream refused the connection: the proxy should answer 502 Bad Gateway.", hint: BAD_GATEWAY });
      const ok = await viaProxy(t, proxy, requestFor("GET", "/good/y", "app.test"), { message: "No response from the working route within 3 s after a 502.", hint: BAD_GATEWAY });
      expectStatus(ok, 200, { message: "After a 502 for one route, another route's upstream should still answer through the proxy.", hint: BAD_GATEWAY });
    },
  },
  {
    name: "an upstream that closes without answering: 502",
    async run(t) {
      const rude = await HttpUpstream.start(t, "rude", { handler: () => "close" });
      const proxy = await startProxy(t, [`timeout ${TIMEOUT_MS}`, `upstream rude round-robin ${rude.address}`, "route * / rude"]);
      t.log.output("(upstream rude closes every connection as soon as a request arrives)");
      const res = await viaProxy(t, proxy, requestFor("GET", "/anything", "app.test"), { message: "No response within 3 s when the upstream closed the connection without answering.", hint: BAD_GATEWAY });
      expectStatus(res, 502, { message: "The upstream closed the connection without a response: the proxy should answer 502 Bad Gateway.", hint: BAD_GATEWAY });
    },
  },
  {
    name: "an upstream whose response is invalid (a NUL in a field name): 502",
    async run(t) {
      const odd = await HttpUpstream.start(t, "odd", { handler: () => ({ raw: "HTTP/1.1 200 OK\r\nX-Bad\u0000Name: 1\r\nContent-Length: 3\r\n\r\nabc" }) });
      const proxy = await startProxy(t, [`timeout ${TIMEOUT_MS}`, `upstream odd round-robin ${odd.address}`, "route * / odd"]);
      t.log.output("(upstream odd answers every request with a head holding a field name with a NUL byte in it, X-Bad\\0Name, and keeps the connection open)");
      const started = Date.now();
      const res = await viaProxy(t, proxy, requestFor("GET", "/anything", "app.test"), { message: "No response within 3 s when the upstream answered with an invalid response (a field name with a NUL byte).", hint: NOT_HTTP });
      const took = Date.now() - started;
      t.log.output(`(the response came after ${took} ms)`);
      expectStatus(res, 502, { message: "The upstream's response is invalid (a field name holds a NUL byte; a field name is a token, RFC 9110 §5.1): the proxy should answer 502 Bad Gateway, not pass it on.", hint: NOT_HTTP });
    },
  },
  {
    name: `an upstream that stalls past the ${TIMEOUT_MS} ms timeout: 504 in about that time`,
    async run(t) {
      // /stall is answered late, when the next bytes reach the upstream on any connection: on the stalled one only if the proxy reused it.
      const slow: HttpUpstream = await HttpUpstream.start(t, "slow", { handler: (req) => (req.target.startsWith("/stall") ? { body: "late\n", waitFor: slow.nextData() } : { body: "quick\n" }) });
      const proxy = await startProxy(t, [`timeout ${TIMEOUT_MS}`, `upstream slow round-robin ${slow.address}`, "route * / slow"]);
      t.log.output("(upstream slow answers /stall only when the next request's bytes reach it, on whichever connection: until then it reads the request and waits)");
      const started = Date.now();
      const res = await viaProxy(t, proxy, requestFor("GET", "/stall", "app.test"), { message: `No response within 3 s while the upstream stalled: the config says timeout ${TIMEOUT_MS} (ms).`, hint: TIMEOUT });
      const took = Date.now() - started;
      t.log.output(`(the response came after ${took} ms)`);
      expectStatus(res, 504, { message: `The upstream sent nothing for longer than the configured timeout (${TIMEOUT_MS} ms): the proxy should answer 504 Gateway Timeout.`, hint: TIMEOUT });
      if (took < TIMEOUT_MS * 0.8) t.fail({ message: `The 504 came after ${took} ms, before the configured timeout of ${TIMEOUT_MS} ms.`, hint: TIMEOUT });
      for (const until = Date.now() + 2000; slow.closed === 0 && Date.now() < until; ) await Bun.sleep(20);
      if (slow.closed === 0) t.fail({ message: "After the 504, the upstream connection that timed out was still open 2 s later: a connection whose response did not come in time must be closed, never put back in the pool (its late response would be read as the next request's).", expected: "the stalled upstream connection closed", received: `${slow.connections} upstream connection(s), none closed`, hint: TIMEOUT });
      const ok = await viaProxy(t, proxy, requestFor("GET", "/quick", "app.test"), { message: "No response within 3 s to a request after the 504.", hint: TIMEOUT });
      expectBody(ok, "quick\n", { message: "After a 504, the next request to the same upstream should get its answer (on a connection that is not the stalled one).", hint: TIMEOUT });
    },
  },
]);
