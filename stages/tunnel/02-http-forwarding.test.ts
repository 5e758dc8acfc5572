import { curl, expectBody, expectHeader, expectStatus, type HttpResponse } from "../../harness/clients/http.ts";
import { LocalHttpService } from "../../harness/clients/local-service.ts";
import { StreamSocket } from "../../challenges/tunnel/clients/stream-socket.ts";
import { visible } from "../../harness/report/show.ts";
import { publicUrl, startTunnelClient, startTunnelServer } from "../../challenges/tunnel/clients/tunnel.ts";
import { stage } from "../../harness/stage/define.ts";

const FORWARD = "The server reads the public request's header section, finds the tunnel by the Host header, and passes the request's bytes, unchanged, over the tunnel; the client writes them to a connection to --to and sends back what the local service answers, byte for byte.";
const HOST = "Route by the host name in the Host header (RFC 9110 §7.2): its first label (what comes before the first dot) is the tunnel's name. Compare it case-insensitively (RFC 9110 §4.2.3) and ignore the \":port\" part — curl sends Host: mango.localhost:24002.";

/** The server's own answers are complete responses: a Content-Length that matches the body, and Connection: close. */
function expectComplete(r: HttpResponse, what: string): void {
  const hint = "The server's own answers (404, 502) are complete HTTP responses: a Content-Length giving the body's length, and Connection: close, since the server closes the connection after them (RFC 9112 §6.3, §9.6).";
  expectHeader(r, "Content-Length", String(r.body.length), { message: `The server's ${what} response should say how long its body is.`, hint });
  expectHeader(r, "Connection", /^close$/i, { message: `The server's ${what} response should say it closes the connection.`, hint });
}

export default stage(import.meta, [
  {
    name: "a GET through the tunnel reaches the local service and its response comes back intact",
    async run(t) {
      const server = await startTunnelServer(t);
      const name = t.rand.word();
      const marker = t.rand.key("reply");
      const path = `/${t.rand.word()}/${t.rand.int(1, 999)}?q=${t.rand.word()}`;
      const local = await LocalHttpService.start(t, "local service", (req) => req.reply(200, [["Content-Type", "text/plain"], ["X-Reply", marker]], `hello from ${req.target} (${req.header("x-test") ?? "no X-Test"})\n`));
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      const url = publicUrl(server, name, path);
      const { responses } = await curl(t, ["-H", `X-Test: ${marker}`, ...url.args], { message: `curl could not get a response through the tunnel (GET ${path} with Host: ${url.host}).`, hint: FORWARD });
      const r = responses[0]!;
      if (local.requests.length === 0) t.fail({ message: "The local service never received the request sent to the public side.", received: `status ${r.status}`, hint: `${HOST} ${FORWARD}` });
      const req = local.requests[0]!;
      t.expectEqual(`${req.method} ${req.target}`, `GET ${path}`, { message: "The request line the local service received differs from the one curl sent.", hint: FORWARD });
      t.expectEqual(req.header("x-test") ?? "(none)", marker, { message: "The local service should receive the request's header fields as curl sent them (X-Test).", hint: FORWARD });
      expectStatus(r, 200, { message: "The public side should get the local service's status.", hint: FORWARD });
      expectHeader(r, "X-Reply", marker, { message: "The public side should get the local service's header fields.", hint: FORWARD });
      expectBody(r, `hello from ${path} (${marker})\n`, { message: "The public side should get the local service's body, byte for byte.", hint: FORWARD });
    },
  },
  {
    name: "the request's header section reaches the local service byte for byte, and the response comes back byte for byte",
    async run(t) {
      const server = await startTunnelServer(t);
      const name = t.rand.word();
      const word = t.rand.word();
      const sent = `GET /${word.toUpperCase()}/${word}?Q=${t.rand.key("Mixed")} HTTP/1.1\r\nHost: ${name}.localhost:${server.httpPort}\r\nX-Mixed-Case: ${word.toUpperCase()} and ${word}\r\nACCEPT:   */*\r\nx-lower: Kept As Is\r\n\r\n`;
      const answer = `HTTP/1.1 200 OK\r\nX-Reply-Header: ${t.rand.key("Value")}\r\ncontent-length: 7\r\nConnection: close\r\n\r\nAnswer!`;
      const local = await LocalHttpService.start(t, "local service", async (req) => {
        await req.conn.write(answer, false);
        req.conn.end();
      });
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      const user = await StreamSocket.connect(t, "public user", server.httpPort);
      await user.write(sent);
      await user.until(() => user.ended, 3000);
      if (local.requests.length === 0) t.fail({ message: "The request never reached the local service.", received: visible(user.bytes()) || "nothing", hint: `${HOST} ${FORWARD}` });
      t.expectEqual(visible(`${local.requests[0]!.head}\r\n\r\n`), visible(sent), { message: "The local service should receive the request's header section exactly as the public user sent it: the same bytes, case and spacing included.", hint: FORWARD });
      t.expectEqual(visible(user.bytes()), visible(answer), { message: "The public user should receive the local service's response exactly as it was sent.", hint: FORWARD });
    },
  },
  {
    name: "a POST body reaches the local service, and the Host's first label is matched case-insensitively, without its port",
    async run(t) {
      const server = await startTunnelServer(t);
      const name = t.rand.word();
      const body = `${t.rand.key("data")}&${"x".repeat(t.rand.int(100, 3000))}`;
      const local = await LocalHttpService.start(t, "local service", async (req) => {
        await req.waitBody(3000);
        await req.reply(201, [["Location", "/made/1"]], `got ${req.body().length} bytes`);
      });
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      const host = `${name.toUpperCase()}.Tunnels.LocalHost:${server.httpPort}`;
      const { responses } = await curl(t, ["-H", `Host: ${host}`, "--data-binary", body, `http://127.0.0.1:${server.httpPort}/items`], { message: `curl could not POST through the tunnel with Host: ${host}.`, hint: HOST });
      const r = responses[0]!;
      expectStatus(r, 201, { message: `POST /items with Host: ${host} should reach the tunnel "${name}" and get the local service's 201.`, hint: HOST });
      t.expectEqual(local.requests[0]?.body().toString() ?? "(no request)", body, { message: "The local service should receive the POST body as curl sent it.", hint: FORWARD });
      expectBody(r, `got ${Buffer.byteLength(body)} bytes`, { message: "The public side should get the local service's body.", hint: FORWARD });
    },
  },
  {
    name: "the Host is found however its field name is spelled, without a dot in the host, and in a header section that comes in pieces",
    async run(t) {
      const server = await startTunnelServer(t);
      const name = t.rand.word();
      const local = await LocalHttpService.start(t, "local service", (req) => req.reply(200, [], `ok ${req.target}`));
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      const field = t.rand.pick(["host", "HOST", "hOsT"]);
      // Each request on its own connection, each with one way of writing the Host that a server must accept.
      const [p1, p2, p3] = [`/field/${t.rand.word()}`, `/nodot/${t.rand.word()}`, `/pieces/${t.rand.word()}`];
      const tries: { path: string; pieces: string[]; why: string; hint: string }[] = [
        { path: p1, pieces: [`GET ${p1} HTTP/1.1\r\n${field}: ${name}.localhost:${server.httpPort}\r\n\r\n`], why: `its Host field written "${field}:"; field names are case-insensitive (RFC 9110 §5.1)`, hint: `${HOST} Look for the Host field by its name in any case (host, HOST, Host).` },
        { path: p2, pieces: [`GET ${p2} HTTP/1.1\r\nHost: ${name}:${server.httpPort}\r\n\r\n`], why: `Host: ${name}:${server.httpPort}, a host name without a dot: once the ":port" is dropped, the whole host name is the first label`, hint: `${HOST} Drop the ":port" first, then take what comes before the first dot (all of it when there is none).` },
        { path: p3, pieces: [`GET ${p3} HTTP/1.1\r\nX-Before: ${t.rand.word()}\r\n`, `Host: ${name}.localhost:${server.httpPort}\r\nX-After: 1\r\n\r\n`], why: "its header section sent in two TCP segments 200 ms apart, the Host line in the second: TCP delivers bytes, not requests, so keep reading until the empty line (RFC 9112 §2.1)", hint: `${HOST} Read the header section up to its empty line, however many reads that takes, before routing.` },
      ];
      for (const x of tries) {
        const before = local.requests.length;
        const user = await StreamSocket.connect(t, "public user", server.httpPort);
        for (const [i, piece] of x.pieces.entries()) {
          if (i > 0) await Bun.sleep(200);
          await user.write(piece);
        }
        await user.until(() => user.ended || user.bytes().includes(`ok ${x.path}`), 3000);
        user.destroy();
        const got = visible(user.bytes()).split("\\r\\n")[0] || "nothing within 3 s";
        if (local.requests.length === before || !user.bytes().includes(`ok ${x.path}`)) t.fail({ message: `A request for the tunnel "${name}" with ${x.why}, did not reach its local service and come back.`, expected: `HTTP/1.1 200 OK … ok ${x.path}`, received: got, hint: x.hint });
      }
    },
  },
  {
    name: "a Host with no tunnel gets 404 from the server",
    async run(t) {
      const server = await startTunnelServer(t);
      const name = t.rand.word();
      const local = await LocalHttpService.start(t, "local service", (req) => req.reply(200, [], "local"));
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      const other = `${name}x${t.rand.int(10, 99)}`;
      const { responses } = await curl(t, publicUrl(server, other).args, { message: `curl could not get a response for Host: ${other}.localhost.`, hint: "Answer a request for a name no client registered with a complete HTTP response: 404 Not Found." });
      expectStatus(responses[0]!, 404, { message: `No client registered "${other}": the server itself should answer 404 Not Found.`, hint: `${HOST} A name nobody holds is answered 404 by the server (RFC 9110 §15.5.5).` });
      if (local.requests.length > 0) t.fail({ message: `A request for "${other}" reached the local service of the tunnel "${name}".`, hint: HOST });
      expectComplete(responses[0]!, "404");
    },
  },
  {
    name: "when the local service is down, the server answers 502 Bad Gateway",
    async run(t) {
      const server = await startTunnelServer(t);
      const name = t.rand.word();
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: await t.port() });
      const { responses } = await curl(t, publicUrl(server, name).args, { message: "curl got no HTTP response while the local service was down.", hint: "When the client cannot connect to --to, it tells the server (the reference resets the stream), and the server answers 502 Bad Gateway (RFC 9110 §15.6.3) rather than closing the connection without a response." });
      expectStatus(responses[0]!, 502, { message: "The local service refuses connections: the public side should get 502 Bad Gateway.", hint: "An intermediary that got no valid response from the server it forwards to answers 502 Bad Gateway (RFC 9110 §15.6.3)." });
      expectComplete(responses[0]!, "502");
    },
  },
]);
