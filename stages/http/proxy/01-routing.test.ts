import { bulkBytes, sha256 } from "../../../harness/clients/local-service.ts";
import { baseUrl, curl, expectBody, expectStatus, header } from "../../../harness/clients/http.ts";
import { fieldOf, HttpUpstream, requestFor, startProxy, viaProxy, type UpstreamRequest } from "../../../challenges/http/clients/http-upstream.ts";
import { stage } from "../../../harness/stage/define.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";

const ROUTES = "With `--proxy <file>`, each `route <host or *> <path prefix> <upstream>` line sends requests whose Host (case-insensitive, port ignored) and path match to that upstream pool; of several matching routes the longest prefix wins, and a route for the exact host beats `*` on a tie. The request target goes upstream unchanged (query included). A request no route matches is answered by your server itself, as in the base stages.";
const FORWARDED = "A proxy tells the upstream who the client was: append the client's address to X-Forwarded-For (keep the addresses already there, comma-separated), send the original Host as X-Forwarded-Host and the scheme as X-Forwarded-Proto (or the same in Forwarded: for=…;host=\"…\";proto=http, RFC 7239), and add itself to Via (`1.1 <name>`, RFC 9110 §7.6.3: appended after the entries already there) in both the request and the response.";
const HOP = "Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade and every field that the Connection header names describe one hop only: remove them before forwarding, in both directions (RFC 9110 §7.6.1). End-to-end fields pass unchanged.";
const BODIES = "Forward the request body whole (whatever its framing from the client: Content-Length or chunked, RFC 9112 §6) and the upstream's body whole, reframed for the other side as needed.";

async function three(t: CaseContext) {
  const app = await HttpUpstream.start(t, "app");
  const api = await HttpUpstream.start(t, "api");
  const shared = await HttpUpstream.start(t, "shared");
  const proxy = await startProxy(t, [
    `upstream app round-robin ${app.address}`,
    `upstream api round-robin ${api.address}`,
    `upstream shared round-robin ${shared.address}`,
    "route app.test / app",
    "route app.test /api/ api",
    "route * /api/ shared",
  ]);
  return { app, api, shared, proxy };
}

function last(up: HttpUpstream): UpstreamRequest | undefined {
  return up.served[up.served.length - 1];
}

export default stage(import.meta, [
  {
    name: "routes by Host and the longest path prefix; unrouted requests are not forwarded",
    async run(t) {
      const { app, api, shared, proxy } = await three(t);
      const cases: [string, string, HttpUpstream | undefined][] = [
        ["app.test", "/index.html", app],
        // Percent-escapes in the path and the query: the target goes upstream as it came, never decoded.
        ["app.test", "/api/users%2Bteam?page=2&q=a%20b", api],
        ["other.test", "/api/v2/items", shared],
        ["APP.Test:8080", "/about", app],
        ["other.test", "/not-routed", undefined],
      ];
      for (const [host, path, want] of cases) {
        const before = [app, api, shared].map((u) => u.served.length);
        const r = await curl(t, ["-H", `Host: ${host}`, `${baseUrl(proxy)}${path}`], { message: `curl GET ${path} with Host: ${host} failed.`, hint: ROUTES });
        const res = r.responses[r.responses.length - 1]!;
        const got = [app, api, shared].filter((u, i) => u.served.length > before[i]!);
        if (!want) {
          t.expectEqual(got.map((u) => u.name).join(", ") || "(none)", "(none)", { message: `GET ${path} with Host: ${host} matches no route, yet it was forwarded.`, hint: ROUTES });
          expectStatus(res, 404, { message: `GET ${path} with Host: ${host} matches no route: your server answers it itself (404 for an unknown path).`, hint: ROUTES });
          continue;
        }
        t.expectEqual(got.map((u) => u.name).join(", ") || "(none)", want.name, { message: `GET ${path} with Host: ${host} went to the wrong upstream.`, hint: ROUTES });
        const decoded = path.includes("%") && !last(want)!.target.includes("%");
        t.expectEqual(`${last(want)!.method} ${last(want)!.target}`, `GET ${path}`, { message: `The upstream should receive the request line's method and target unchanged${decoded ? " (its percent-escapes too: forward the target as it came, do not decode it)" : ""}.`, hint: ROUTES });
        expectStatus(res, 200, { message: `The upstream answered 200; the client should get it.`, hint: ROUTES });
        expectBody(res, `${want.name} GET ${path}\n`, { message: "The client should get the upstream's body.", hint: BODIES });
      }
    },
  },
  {
    name: "X-Forwarded-For is appended to; the Host, the scheme and Via are passed on",
    async run(t) {
      const { app, proxy } = await three(t);
      const hop = `1.0 ${t.rand.word()}-hop`;
      const res = await viaProxy(t, proxy, requestFor("GET", "/page", "app.test", [["X-Forwarded-For", "203.0.113.7"], ["Via", hop]]), { message: "No response through the proxy within 3 s.", hint: FORWARDED });
      expectStatus(res, 200, { message: "The upstream answered 200; the client should get it.", hint: FORWARDED });
      const req = last(app);
      if (!req) return t.fail({ message: "The request for app.test /page never reached the upstream.", hint: ROUTES });
      const f = (n: string) => fieldOf(req.headers, n);
      t.expectEqual(`X-Forwarded-For: ${f("x-forwarded-for") ?? "(none)"}`, "X-Forwarded-For: 203.0.113.7, 127.0.0.1", { message: "The upstream should see the earlier hop and the client's address (127.0.0.1) in X-Forwarded-For.", hint: FORWARDED });
      const forwarded = f("forwarded") ?? "";
      const hostOk = f("x-forwarded-host") === "app.test" || /host="?app\.test"?/i.test(forwarded);
      const protoOk = f("x-forwarded-proto") === "http" || /proto="?http"?(;|,|$)/i.test(forwarded);
      t.expectEqual(`host ${hostOk ? "passed" : "missing"}, scheme ${protoOk ? "passed" : "missing"}`, "host passed, scheme passed", {
        message: "The upstream should learn the Host and scheme the client used.",
        hint: FORWARDED,
        detail: `X-Forwarded-Host: ${f("x-forwarded-host") ?? "(none)"}; X-Forwarded-Proto: ${f("x-forwarded-proto") ?? "(none)"}; Forwarded: ${forwarded || "(none)"}`,
      });
      const via = /^(HTTP\/)?1\.1 \S+/i;
      // The request came with an earlier hop's Via: the proxy appends its own entry after it (RFC 9110 §7.6.3).
      const reqVia = f("via") ?? "";
      const appended = reqVia.startsWith(`${hop}, `) && via.test(reqVia.slice(hop.length + 2));
      t.expectEqual(`request Via: ${appended ? `${hop}, 1.1 <proxy>` : reqVia || "(none)"}`, `request Via: ${hop}, 1.1 <proxy>`, { message: `The request came with Via: ${hop} (an earlier hop); the forwarded request should carry that entry, then yours: Via: ${hop}, 1.1 <your proxy's name>${reqVia !== "" && !reqVia.includes(hop) ? " (yours replaced the earlier hop's; each intermediary appends to Via)" : ""}.`, hint: FORWARDED });
      t.expectEqual(`response Via: ${via.test(header(res, "via") ?? "") ? "1.1 <proxy>" : (header(res, "via") ?? "(none)")}`, "response Via: 1.1 <proxy>", { message: "The forwarded response should carry Via: 1.1 <your proxy's name> too.", hint: FORWARDED });
    },
  },
  {
    name: "hop-by-hop fields are removed in both directions",
    async run(t) {
      const app = await HttpUpstream.start(t, "app", {
        handler: () => ({ headers: [["Connection", "X-Up-Hop"], ["X-Up-Hop", "secret"], ["Keep-Alive", "timeout=9"], ["Proxy-Connection", "keep-alive"], ["X-Up-End", "kept"]], body: "hello\n" }),
      });
      const proxy = await startProxy(t, [`upstream app round-robin ${app.address}`, "route * / app"]);
      const res = await viaProxy(t, proxy, requestFor("GET", "/hop", "app.test", [["Connection", "keep-alive, X-Hop"], ["X-Hop", "secret"], ["Keep-Alive", "timeout=5"], ["Proxy-Connection", "keep-alive"], ["TE", "trailers"], ["Upgrade", "h2c"], ["X-End", "kept"]]), { message: "No response through the proxy within 3 s.", hint: HOP });
      const req = last(app);
      if (!req) return t.fail({ message: "The request never reached the upstream.", hint: ROUTES });
      const sent = ["X-Hop", "Keep-Alive", "Proxy-Connection", "TE", "Upgrade", "X-End"].map((n) => `${n}: ${fieldOf(req.headers, n) ?? "(removed)"}`).join("; ");
      t.expectEqual(sent, "X-Hop: (removed); Keep-Alive: (removed); Proxy-Connection: (removed); TE: (removed); Upgrade: (removed); X-End: kept", { message: "The request sent upstream kept a hop-by-hop field (X-Hop was named by the client's Connection header) or lost an end-to-end one.", hint: HOP });
      const back = ["X-Up-Hop", "Keep-Alive", "Proxy-Connection", "X-Up-End"].map((n) => `${n}: ${header(res, n) ?? "(removed)"}`).join("; ");
      t.expectEqual(back, "X-Up-Hop: (removed); Keep-Alive: (removed); Proxy-Connection: (removed); X-Up-End: kept", { message: "The response sent to the client kept a hop-by-hop field (X-Up-Hop was named by the upstream's Connection header) or lost an end-to-end one.", hint: HOP });
      expectBody(res, "hello\n", { message: "The client should get the upstream's body.", hint: BODIES });
    },
  },
  {
    name: "a chunked upload, a Content-Length upload and a large download pass through intact",
    async run(t) {
      const download = bulkBytes(`download-${t.rand.int(0, 1e9)}`, 300_000);
      const app = await HttpUpstream.start(t, "app", { handler: (req) => ({ headers: [["Content-Type", "application/octet-stream"], ["X-Upload-Sha256", sha256(req.body)], ["X-Upload-Length", String(req.body.length)]], body: download }) });
      const proxy = await startProxy(t, [`upstream app round-robin ${app.address}`, "route * /up/ app"]);
      const upload = bulkBytes(`upload-${t.rand.int(0, 1e9)}`, 100_000);
      const chunks = [upload.subarray(0, 40_000), upload.subarray(40_000, 99_000), upload.subarray(99_000)];
      const body = Buffer.concat([...chunks.flatMap((c) => [Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from("\r\n")]), Buffer.from("0\r\n\r\n")]);
      const res = await viaProxy(t, proxy, requestFor("POST", "/up/load", "app.test", [["Transfer-Encoding", "chunked"], ["Content-Type", "application/octet-stream"]], body), { message: "No whole response to a chunked POST through the proxy within 3 s.", hint: BODIES });
      expectStatus(res, 200, { message: "The upstream answered 200; the client should get it.", hint: BODIES });
      t.expectEqual(`${header(res, "x-upload-length")} bytes, sha256 ${header(res, "x-upload-sha256")}`, `${upload.length} bytes, sha256 ${sha256(upload)}`, { message: "The upstream received a different request body from the one the client sent (in 3 chunks).", hint: BODIES });
      t.expectEqual(`${res.body.length} bytes, sha256 ${sha256(res.body)}`, `${download.length} bytes, sha256 ${sha256(download)}`, { message: "The client received a different response body from the one the upstream sent.", hint: BODIES });
      const second = bulkBytes(`upload-cl-${t.rand.int(0, 1e9)}`, 50_000);
      const res2 = await viaProxy(t, proxy, requestFor("POST", "/up/load", "app.test", [["Content-Length", String(second.length)], ["Content-Type", "application/octet-stream"]], second), { message: "No whole response to a POST with Content-Length through the proxy within 3 s.", hint: BODIES });
      t.expectEqual(`${header(res2, "x-upload-length")} bytes, sha256 ${header(res2, "x-upload-sha256")}`, `${second.length} bytes, sha256 ${sha256(second)}`, { message: "The upstream received a different request body from the one the client sent with Content-Length.", hint: BODIES });
    },
  },
]);
