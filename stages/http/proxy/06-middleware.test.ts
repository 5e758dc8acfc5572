import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { baseUrl, curl, expectStatus, header } from "../../../harness/clients/http.ts";
import { fieldOf, HttpUpstream, requestFor, startProxy, viaProxy } from "../../../challenges/http/clients/http-upstream.ts";
import { stage } from "../../../harness/stage/define.ts";

const LOG = "`access-log <file>`: after answering each proxied request, append one line: the Common Log Format (`<client address> - - [<dd/Mon/yyyy:hh:mm:ss +zzzz>] \"<request line>\" <status> <body bytes sent>`) followed by the upstream address in quotes (`\"-\"` if none was tried) and the milliseconds the request took, separated by single spaces.";
const RULES = "`set-header request|response <Name> <value>` replaces every field of that name (or adds it) in the message forwarded that way; `remove-header request|response <Name>` removes them. Apply them after your own forwarding fields, in the order written.";
const METRICS = "`metrics <path>`: answer GET <path> yourself (before routing) with the Prometheus text format: `# TYPE proxy_requests_total counter`, then one line per upstream address and status code, `proxy_requests_total{upstream=\"<host:port>\",code=\"<status>\"} <count>`, counting every forwarded request by the status the client got (502 and 504 included).";

/** `127.0.0.1 - - [02/Dec/2026:04:50:40 +0000] "GET /x HTTP/1.1" 200 14 "127.0.0.1:31040" 3` */
// The byte count may be "-" here (Apache's CLF writes it for an empty body), so that the comparison below can say 0 was expected.
const LINE = /^(\S+) - - \[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\] "([^"]*)" (\d{3}) (\d+|-) "([^"]*)" (\d+)$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export default stage(import.meta, [
  {
    name: "the access log has one Common Log Format line per proxied request, with upstream and duration",
    async run(t) {
      const app = await HttpUpstream.start(t, "app", { handler: (req) => ({ body: req.target === "/big" ? "x".repeat(1234) : req.target === "/empty" ? "" : "hi\n" }) });
      const nobody = await t.port();
      const log = join(t.dir, "access.log");
      // rate-limit 4 60: the 5th request is answered 429 by the proxy itself, so its line names no upstream ("-").
      const proxy = await startProxy(t, [`access-log ${log}`, "timeout 500", "rate-limit 4 60", `upstream app round-robin ${app.address}`, `upstream gone round-robin 127.0.0.1:${nobody}`, "route * /gone/ gone", "route * / app"]);
      const sent: [string, number, string][] = [
        ["GET /small?q=1", 200, app.address],
        ["GET /big", 200, app.address],
        ["GET /gone/x", 502, `127.0.0.1:${nobody}`],
        ["GET /empty", 200, app.address],
        ["GET /limited", 429, "-"],
      ];
      /** The body bytes each response had (the log must say the same). */
      const sizes: number[] = [];
      for (const [line, status] of sent) {
        const [method, target] = line.split(" ") as [string, string];
        const res = await viaProxy(t, proxy, requestFor(method, target, "app.test"), { message: `No response to ${line} within 3 s.`, hint: LOG });
        expectStatus(res, status, { message: `${line}: wrong status through the proxy.`, hint: LOG });
        sizes.push(res.body.length);
      }
      const deadline = Date.now() + 2000;
      let lines: string[] = [];
      while (Date.now() < deadline) {
        lines = existsSync(log) ? readFileSync(log, "utf8").split("\n").filter((l) => l !== "") : [];
        if (lines.length >= sent.length) break;
        await Bun.sleep(50);
      }
      t.log.command(`cat ${log}`);
      for (const l of lines) t.log.output(l);
      t.expectEqual(`${lines.length} lines`, `${sent.length} lines`, { message: `The access log should have one line per proxied request (${sent.length} were sent) within 2 s.`, hint: LOG });
      for (let i = 0; i < sent.length; i++) {
        const [request, status, upstream] = sent[i]!;
        const bytes = sizes[i]!;
        const m = LINE.exec(lines[i]!);
        if (!m) return t.fail({ message: `Access log line ${i + 1} is not in the documented format.`, expected: `127.0.0.1 - - [dd/Mon/yyyy:hh:mm:ss +0000] "${request} HTTP/1.1" ${status} <bytes> "${upstream}" <ms>`, received: lines[i]!, hint: LOG });
        const zone = m[8]!;
        const offsetMin = (zone.startsWith("-") ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3)));
        const at = Date.UTC(Number(m[4]), MONTHS.indexOf(m[3]!), Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7])) - offsetMin * 60000;
        if (Math.abs(at - Date.now()) > 120_000) t.fail({ message: `Access log line ${i + 1}: the time is not now.`, expected: "the time of the request (± 2 min)", received: `[${m.slice(2, 8).join(" ")} ${m[8]}]`, hint: LOG });
        t.expectEqual(`${m[1]} "${m[9]}" ${m[10]} ${m[11]} "${m[12]}"`, `127.0.0.1 "${request} HTTP/1.1" ${status} ${bytes} "${upstream}"`, { message: `Access log line ${i + 1} has the wrong client, request line, status, byte count or upstream${m[11] === "-" ? ` (the response to ${request} had an empty body: its byte count is 0, a number, not "-")` : ""}.`, hint: LOG, detail: `line: ${lines[i]}` });
      }
    },
  },
  {
    name: "header rules set and remove fields in both directions",
    async run(t) {
      const app = await HttpUpstream.start(t, "app", { handler: () => ({ headers: [["Server", "upstream/1.0"], ["X-Kept", "yes"]], body: "ok\n" }) });
      const proxy = await startProxy(t, ["set-header request X-Env staging", "remove-header request Cookie", "set-header response X-Frame-Options DENY", "remove-header response Server", `upstream app round-robin ${app.address}`, "route * / app"]);
      const r = await curl(t, ["-H", "Host: app.test", "-H", "X-Env: production", "-H", "Cookie: session=secret", `${baseUrl(proxy)}/page`], { message: "curl through the proxy failed.", hint: RULES });
      const res = r.responses[r.responses.length - 1]!;
      const req = app.served[app.served.length - 1];
      if (!req) return t.fail({ message: "The request never reached the upstream.", hint: RULES });
      t.expectEqual(`X-Env: ${fieldOf(req.headers, "x-env") ?? "(none)"}; Cookie: ${fieldOf(req.headers, "cookie") ?? "(removed)"}`, "X-Env: staging; Cookie: (removed)", { message: "With `set-header request X-Env staging` and `remove-header request Cookie`, the upstream should get X-Env: staging (replacing the client's) and no Cookie.", hint: RULES });
      t.expectEqual(`X-Frame-Options: ${header(res, "x-frame-options") ?? "(none)"}; Server: ${header(res, "server") ?? "(removed)"}; X-Kept: ${header(res, "x-kept") ?? "(none)"}`, "X-Frame-Options: DENY; Server: (removed); X-Kept: yes", { message: "With `set-header response X-Frame-Options DENY` and `remove-header response Server`, the client should get X-Frame-Options: DENY, no Server, and the other fields as the upstream sent them.", hint: RULES });
    },
  },
  {
    name: "the metrics endpoint counts requests by upstream and status",
    async run(t) {
      const app = await HttpUpstream.start(t, "app");
      const nobody = await t.port();
      const proxy = await startProxy(t, ["metrics /metrics", "timeout 500", `upstream app round-robin ${app.address}`, `upstream gone round-robin 127.0.0.1:${nobody}`, "route * /gone/ gone", "route * / app"]);
      for (let i = 1; i <= 3; i++) await viaProxy(t, proxy, requestFor("GET", `/ok/${i}`, "app.test"), { message: "No response through the proxy within 3 s.", hint: METRICS });
      for (let i = 1; i <= 2; i++) await viaProxy(t, proxy, requestFor("GET", `/gone/${i}`, "app.test"), { message: "No response through the proxy within 3 s.", hint: METRICS });
      const r = await curl(t, ["-H", "Host: app.test", `${baseUrl(proxy)}/metrics`], { message: "curl for /metrics failed.", hint: METRICS });
      const res = r.responses[r.responses.length - 1]!;
      t.expectEqual(`upstream got ${app.served.length} requests`, "upstream got 3 requests", { message: "GET /metrics must not be forwarded (even though route * / matches it).", hint: METRICS });
      expectStatus(res, 200, { message: "GET /metrics should be answered by the proxy itself with 200.", hint: METRICS });
      t.expectEqual(`Content-Type: ${header(res, "content-type") ?? "(none)"}`.replace(/;\s*/g, "; "), "Content-Type: text/plain; version=0.0.4", { message: "The metrics endpoint answers in the Prometheus text exposition format, whose media type is text/plain; version=0.0.4.", hint: METRICS });
      if (!res.body.toString().split("\n").some((l) => /^# TYPE proxy_requests_total counter\s*$/.test(l))) t.fail({ message: "The metrics should declare the counter's type.", expected: "a line # TYPE proxy_requests_total counter", received: res.body.toString(), hint: METRICS });
      const samples = new Map<string, string>();
      for (const line of res.body.toString().split("\n")) {
        const m = /^proxy_requests_total\{([^}]*)\}\s+(\S+)$/.exec(line.trim());
        if (!m) continue;
        const labels = Object.fromEntries(m[1]!.split(",").map((kv) => kv.trim().split("=")).map(([k, v]) => [k, (v ?? "").replace(/^"|"$/g, "")]));
        samples.set(`upstream=${labels.upstream} code=${labels.code}`, m[2]!);
      }
      const want = [`upstream=${app.address} code=200`, `upstream=127.0.0.1:${nobody} code=502`];
      t.expectEqual(want.map((k) => `${k}: ${samples.get(k) ?? "(missing)"}`).join("; "), `${want[0]}: 3; ${want[1]}: 2`, { message: "proxy_requests_total should count 3 requests answered 200 by app and 2 answered 502 for the refused upstream.", hint: METRICS, detail: `/metrics said:\n${res.body.toString()}` });
    },
  },
]);
