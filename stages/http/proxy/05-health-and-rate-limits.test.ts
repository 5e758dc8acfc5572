import { baseUrl, curl, expectStatus, header } from "../../../harness/clients/http.ts";
import { HttpUpstream, requestFor, startProxy, viaProxy } from "../../../challenges/http/clients/http-upstream.ts";
import { stage } from "../../../harness/stage/define.ts";

const HEALTH = "`health <path> <interval ms>`: every interval, send GET <path> to every upstream address; a 2xx or 3xx answer in time means up, anything else (an error status, a refused or timed-out connection) means down. Send no requests to an address that is down; when its check passes again, send it requests again. If every address of a pool is down, answer 503.";
const RATE = "`rate-limit <requests> <seconds>`: per client address (the TCP peer), allow at most <requests> proxied requests in any <seconds>-long window; answer the ones past it yourself with 429 Too Many Requests and a Retry-After header giving the whole seconds until a request would be allowed again (RFC 6585 §4), without forwarding them. Other clients are not affected.";

/** The health-check interval the config sets, in ms. */
const INTERVAL_MS = 200;
/** How long the test waits for the proxy to notice a change of health. */
const NOTICE_MS = 3000;

export default stage(import.meta, [
  {
    name: "a failing health check takes an upstream out, a passing one brings it back; all out: 503",
    async run(t) {
      const a = await HttpUpstream.start(t, "a");
      const b = await HttpUpstream.start(t, "b");
      a.quiet = b.quiet = true;
      const proxy = await startProxy(t, [`health /healthz ${INTERVAL_MS}`, `upstream pool round-robin ${a.address} ${b.address}`, "route * / pool"]);
      const who = async (i: number) => {
        const res = await viaProxy(t, proxy, requestFor("GET", `/h/${i}`, "app.test"), { message: `No response to request ${i} within 3 s.`, hint: HEALTH });
        return header(res, "x-upstream") ?? `status ${res.status}`;
      };
      let i = 0;
      const first = [await who(++i), await who(++i)];
      t.log.output(`(both healthy: requests went to ${first.join(", ")})`);
      t.log.output("(upstream a's /healthz now answers 503 Service Unavailable; a still answers other requests)");
      a.healthy = false;
      const checksBefore = a.requests.length - a.served.length;
      const downAt = Date.now();
      let streak = 0;
      while (streak < 6 && Date.now() - downAt < NOTICE_MS) {
        streak = (await who(++i)) === "b" ? streak + 1 : 0;
        await Bun.sleep(50);
      }
      const checks = a.requests.length - a.served.length;
      if (streak < 6) {
        t.fail({
          message: `Upstream a still got requests ${NOTICE_MS / 1000} s after its health check (/healthz every ${INTERVAL_MS} ms) started failing.`,
          hint: HEALTH,
          detail: checks === 0 ? "Upstream a received no GET /healthz at all: the proxy runs no health checks." : `Upstream a received ${checks} health checks (${checks - checksBefore} since it turned unhealthy).`,
        });
      }
      t.log.output(`(a taken out after ${Date.now() - downAt} ms; a got ${checks - checksBefore} health checks meanwhile)`);
      const servedWhileDown = a.served.length;
      for (let k = 0; k < 6; k++) await who(++i);
      t.expectEqual(`a served ${a.served.length - servedWhileDown} more`, "a served 0 more", { message: "Upstream a is failing its health check, yet requests still went to it.", hint: HEALTH });
      // Back with a 3xx, on every seed: 2xx and 3xx both mean up.
      t.log.output("(upstream a's /healthz answers 302 Found now: a 3xx means up, as a 2xx does)");
      a.healthStatus = 302;
      a.healthy = true;
      const upAt = Date.now();
      let back = false;
      while (!back && Date.now() - upAt < NOTICE_MS) {
        back = (await who(++i)) === "a";
        await Bun.sleep(50);
      }
      if (!back) t.fail({ message: `Upstream a passes its health check again (302 Found: a 2xx or 3xx answer means up), but got no request within ${NOTICE_MS / 1000} s.`, hint: HEALTH });
      t.log.output("(both upstreams' /healthz now answer 503)");
      a.healthy = b.healthy = false;
      const allDownAt = Date.now();
      let last = "";
      while (last !== "status 503" && Date.now() - allDownAt < NOTICE_MS) {
        last = await who(++i);
        await Bun.sleep(50);
      }
      t.expectEqual(`${last}`, "status 503", { message: `Every upstream of the pool fails its health check: within ${NOTICE_MS / 1000} s the proxy should answer 503 Service Unavailable itself.`, hint: HEALTH });
    },
  },
  {
    name: "an upstream that refuses the health check's connection is down",
    async run(t) {
      const b = await HttpUpstream.start(t, "b");
      b.quiet = true;
      const refused = `127.0.0.1:${await t.port()}`;
      t.log.output(`(nothing listens on ${refused}: its health checks are refused)`);
      const proxy = await startProxy(t, [`health /healthz ${INTERVAL_MS}`, `upstream pool round-robin ${refused} ${b.address}`, "route * / pool"]);
      const startedAt = Date.now();
      let streak = 0;
      let i = 0;
      let last = "";
      const tally = new Map<string, number>();
      while (streak < 6 && Date.now() - startedAt < NOTICE_MS) {
        const res = await viaProxy(t, proxy, requestFor("GET", `/d/${++i}`, "app.test"), { message: `No response to request ${i} within 3 s.`, hint: HEALTH });
        last = header(res, "x-upstream") ?? `status ${res.status}`;
        tally.set(last, (tally.get(last) ?? 0) + 1);
        streak = last === "b" ? streak + 1 : 0;
        await Bun.sleep(50);
      }
      if (streak < 6) t.fail({ message: `${NOTICE_MS / 1000} s after start, requests still went to ${refused}, whose health checks are refused: a refused connection means down.`, expected: "six requests in a row to b", received: `answers to ${i} requests: ${[...tally].map(([k, n]) => `${k}: ${n}`).join(", ")} (the status 502 ones went to ${refused})`, hint: HEALTH });
    },
  },
  {
    name: "past the per-client limit: 429 with Retry-After, not forwarded; another client is not limited",
    async run(t) {
      const app = await HttpUpstream.start(t, "app");
      const proxy = await startProxy(t, ["rate-limit 5 2", `upstream app round-robin ${app.address}`, "route * / app"]);
      for (let k = 1; k <= 5; k++) {
        const res = await viaProxy(t, proxy, requestFor("GET", `/r/${k}`, "app.test"), { message: `No response to request ${k} within 3 s.`, hint: RATE });
        expectStatus(res, 200, { message: `Request ${k} of the 5 the limit allows (rate-limit 5 2) should be forwarded.`, hint: RATE });
      }
      const over = await viaProxy(t, proxy, requestFor("GET", "/r/6", "app.test"), { message: "No response to the 6th request within 3 s.", hint: RATE });
      expectStatus(over, 429, { message: "The 6th request within 2 s from the same client is past `rate-limit 5 2`: answer 429 Too Many Requests.", hint: RATE });
      const retry = header(over, "retry-after") ?? "(none)";
      if (!/^[12]$/.test(retry)) t.fail({ message: "A 429 should say when to retry: Retry-After in whole seconds (here 1 or 2, as the window is 2 s).", expected: "Retry-After: 1 or 2", received: `Retry-After: ${retry}`, hint: RATE });
      t.expectEqual(`upstream got ${app.served.length} requests`, "upstream got 5 requests", { message: "A request answered 429 must not be forwarded to the upstream.", hint: RATE });
      const other = await curl(t, ["--interface", "127.0.0.2", "-H", "Host: app.test", `${baseUrl(proxy)}/other`], { message: "curl from 127.0.0.2 through the proxy failed.", hint: RATE });
      expectStatus(other.responses[other.responses.length - 1]!, 200, { message: "Another client (from 127.0.0.2) has its own limit: its first request should be forwarded.", hint: RATE });
      t.log.output(`(the test waits Retry-After: ${retry} s)`);
      await Bun.sleep(Number(retry) * 1000 + 150);
      const later = await viaProxy(t, proxy, requestFor("GET", "/r/7", "app.test"), { message: "No response within 3 s to a request after Retry-After.", hint: RATE });
      expectStatus(later, 200, { message: `After waiting Retry-After (${retry} s), the client's next request should be forwarded again.`, hint: RATE });
    },
  },
]);
