import { curlTls, opensslAlpn, startTls } from "../../../harness/clients/http-tls.ts";
import { baseUrl, curl, expectBody } from "../../../harness/clients/http.ts";
import { stage } from "../../../harness/stage/define.ts";

const HTTPS = "Listen on the port after --tls-port with TLS, presenting the certificate from --cert with the key from --key (both PEM). TLS may come from your runtime (Bun.listen's tls option, node:tls, OpenSSL); inside it, the bytes are HTTP as on the plain port (RFC 9110 §4.2.2, §4.3.3).";
const BOTH = "Keep serving plain HTTP on --port while --tls-port serves HTTPS: two listeners, the same routes.";

export default stage(import.meta, [
  {
    name: "curl --http1.1 over HTTPS verifies the harness's certificate and gets the page",
    async run(t) {
      const s = await startTls(t);
      const word = t.rand.word();
      const r = await curlTls(t, s, `/echo/${word}`, ["--http1.1"], { message: `curl could not GET https://127.0.0.1:${s.tlsPort}/echo/${word} trusting only the harness's certificate.`, hint: HTTPS });
      t.expectEqual(`HTTP/${r.version} ${r.status} ${r.body.toString("latin1")}`, `HTTP/1.1 200 ${word}`, { message: `Wrong response to GET /echo/${word} over HTTPS.`, hint: HTTPS });
    },
  },
  {
    name: "openssl s_client sees the certificate from --cert, verified",
    async run(t) {
      const s = await startTls(t);
      const r = await opensslAlpn(t, s, "http/1.1");
      if (!r.verified) t.fail({ message: "openssl s_client could not verify the server's certificate against the one given with --cert.", expected: "Verify return code: 0 (ok)", received: r.output.split("\n").filter((l) => /Verify|error|subject|CONNECTED/i.test(l)).join("\n") || "(no handshake)", hint: HTTPS });
    },
  },
  {
    name: "the plain port still serves HTTP while the TLS port serves HTTPS",
    async run(t) {
      const s = await startTls(t);
      const [a, b] = [t.rand.word(), t.rand.word()];
      const { responses } = await curl(t, [`${baseUrl(s.server)}/echo/${a}`], { message: "curl (plain HTTP) could not GET a page from --port while --tls-port listens.", hint: BOTH });
      expectBody(responses[0]!, a, { message: `Wrong body for plain GET /echo/${a}.`, hint: BOTH });
      const r = await curlTls(t, s, `/echo/${b}`, ["--http1.1"], { message: `curl could not GET /echo/${b} over HTTPS.`, hint: HTTPS });
      t.expectEqual(r.body.toString("latin1"), b, { message: `Wrong body for GET /echo/${b} over HTTPS.`, hint: HTTPS });
    },
  },
]);
