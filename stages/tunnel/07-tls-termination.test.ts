import { curl, expectBody, expectStatus } from "../../harness/clients/http.ts";
import { LocalHttpService } from "../../harness/clients/local-service.ts";
import { publicUrl, startTunnelClient, startTunnelServer } from "../../challenges/tunnel/clients/tunnel.ts";
import { stage } from "../../harness/stage/define.ts";

const TERMINATE = "Listen on --https-port with TLS (node:tls, with --cert and --key): the server completes the handshake, decrypts, and from there handles the request exactly like one on --http-port — routed by Host, forwarded as plain HTTP over the tunnel. The local service never sees TLS.";
const CERT = "Present the certificate from --cert (with the key from --key): curl checks it against that same file (--cacert) and the name in the URL.";

export default stage(import.meta, [
  {
    name: "curl -k over HTTPS reaches the local service as plain HTTP, and the response comes back encrypted",
    async run(t) {
      const name = t.rand.word();
      const server = await startTunnelServer(t, { tls: true });
      const marker = t.rand.key("secret");
      const local = await LocalHttpService.start(t, "local service", (req) => req.reply(200, [["Content-Type", "text/plain"]], `plain inside: ${req.method} ${req.target} ${marker}`));
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      const { responses } = await curl(t, ["-k", ...publicUrl(server, name, "/inside", "https").args], { message: `curl -k could not get a response over HTTPS from port ${server.httpsPort}.`, hint: TERMINATE });
      if (local.requests.length === 0) t.fail({ message: "The HTTPS request never reached the local service as an HTTP request.", hint: TERMINATE });
      expectStatus(responses[0]!, 200, { message: "The HTTPS request should get the local service's status.", hint: TERMINATE });
      expectBody(responses[0]!, `plain inside: GET /inside ${marker}`, { message: "The HTTPS request should reach the local service as plain HTTP, and its response come back.", hint: TERMINATE });
    },
  },
  {
    name: "the server presents the certificate it was given: curl --cacert verifies it",
    async run(t) {
      const name = t.rand.word();
      const server = await startTunnelServer(t, { tls: true });
      const local = await LocalHttpService.start(t, "local service", (req) => req.reply(200, [], "verified"));
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      // The certificate names localhost: connect to that name, and route with the Host header.
      const port = server.httpsPort!;
      const args = ["--cacert", server.certFile!, "--resolve", `localhost:${port}:127.0.0.1`, "-H", `Host: ${name}.localhost:${port}`, `https://localhost:${port}/`];
      const { responses } = await curl(t, args, { message: "curl could not verify the server's certificate against the --cert file it was given.", hint: CERT });
      expectBody(responses[0]!, "verified", { message: "The verified HTTPS request should get the local service's body.", hint: TERMINATE });
    },
  },
  {
    name: "HTTPS and plain HTTP route to the same tunnels; an unknown name over HTTPS gets 404",
    async run(t) {
      const name = t.rand.word();
      const other = `${name}x${t.rand.int(10, 99)}`;
      const server = await startTunnelServer(t, { tls: true });
      const local = await LocalHttpService.start(t, "local service", (req) => req.reply(200, [], `served ${req.target}`));
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      const plain = await curl(t, publicUrl(server, name, "/plain").args, { message: "A plain HTTP request to the same tunnel failed.", hint: TERMINATE });
      expectBody(plain.responses[0]!, "served /plain", { message: "--http-port should still route to the tunnel.", hint: TERMINATE });
      const { responses } = await curl(t, ["-k", ...publicUrl(server, other, "/", "https").args], { message: `curl -k got no HTTPS response for Host: ${other}.localhost.`, hint: TERMINATE });
      expectStatus(responses[0]!, 404, { message: `No client registered "${other}": over HTTPS too, the server answers 404 Not Found.`, hint: TERMINATE });
    },
  },
]);
