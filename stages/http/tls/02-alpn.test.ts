import { h2load } from "../../../challenges/http/clients/http2.ts";
import { curlTls, opensslAlpn, startTls } from "../../../harness/clients/http-tls.ts";
import { NGHTTP2_PACKAGE } from "../../../challenges/http/clients/http2.ts";
import { stage } from "../../../harness/stage/define.ts";

const ALPN = "Offer ALPN (RFC 7301) in your TLS server: when the client's list has \"h2\", select it and speak HTTP/2 on the connection (RFC 9113 §3.2: the client then starts with the preface, as with prior knowledge); when it offers only \"http/1.1\", select that and speak HTTP/1.1. With Bun.listen: tls: { ALPNProtocols: Buffer.from(\"\\x02h2\\x08http/1.1\") } (the wire format: each name after its length), then socket.alpnProtocol.";

export default stage(import.meta, [
  {
    name: "curl --http2 over HTTPS: ALPN selects h2 and the response is HTTP/2",
    async run(t) {
      const s = await startTls(t);
      const word = t.rand.word();
      const r = await curlTls(t, s, `/echo/${word}`, ["--http2"], { message: `curl --http2 could not GET /echo/${word} over HTTPS.`, hint: ALPN });
      t.expectEqual(`ALPN ${r.alpn ?? "(none selected)"}`, "ALPN h2", { message: "curl offered h2 and http/1.1 in ALPN; the server should select h2.", hint: ALPN });
      t.expectEqual(`HTTP/${r.version} ${r.status} ${r.body.toString("latin1")}`, `HTTP/2 200 ${word}`, { message: `Wrong response to GET /echo/${word} over HTTPS with h2.`, hint: ALPN });
    },
  },
  {
    name: "curl --http1.1 over HTTPS: ALPN selects http/1.1",
    async run(t) {
      const s = await startTls(t);
      const word = t.rand.word();
      const r = await curlTls(t, s, `/echo/${word}`, ["--http1.1"], { message: `curl --http1.1 could not GET /echo/${word} over HTTPS.`, hint: ALPN });
      t.expectEqual(`ALPN ${r.alpn ?? "(none selected)"}`, "ALPN http/1.1", { message: "curl offered only http/1.1 in ALPN; the server should select it.", hint: ALPN });
      t.expectEqual(`HTTP/${r.version} ${r.status} ${r.body.toString("latin1")}`, `HTTP/1.1 200 ${word}`, { message: `Wrong response to GET /echo/${word} over HTTPS with http/1.1.`, hint: ALPN });
    },
  },
  {
    name: "openssl s_client -alpn h2,http/1.1 gets h2, and so does -alpn http/1.1,h2",
    async run(t) {
      const s = await startTls(t);
      // Both orders every run: the server's preference (h2) decides, not the client's order.
      for (const offer of ["h2,http/1.1", "http/1.1,h2"]) {
        const r = await opensslAlpn(t, s, offer);
        t.expectEqual(`ALPN protocol: ${r.alpn ?? "(none)"}`, "ALPN protocol: h2", { message: `openssl s_client offered ${offer.replace(",", " and ")} (in that order); the server should select h2 whenever the client offers it${offer.startsWith("h2") ? "" : r.alpn === "http/1.1" ? ": the server's preference decides, not the order of the client's list (yours took the client's first choice)" : ""}.`, hint: ALPN });
      }
    },
  },
  {
    name: "nghttp and h2load over HTTPS",
    async run(t) {
      const s = await startTls(t);
      const word = t.rand.word();
      const r = await t.client(NGHTTP2_PACKAGE, ["nghttp", "-t", "4", `https://127.0.0.1:${s.tlsPort}/echo/${word}`], { timeoutMs: 7000, quietStderr: true });
      if (r.code !== 0 || r.stdout !== word) t.fail({ message: `nghttp could not GET https://127.0.0.1:${s.tlsPort}/echo/${word} (it needs h2 from ALPN).`, expected: word, received: `${r.stdout || "(nothing)"}${r.code !== 0 ? `\n${r.output.split("\n").slice(-3).join("\n")}` : ""}`, hint: ALPN });
      const load = await h2load(t, ["-n", "100", "-c", "2", "-m", "10", `https://127.0.0.1:${s.tlsPort}/echo/${word}`]);
      if (load.status2xx !== 100 || !/Application protocol: h2/.test(load.output)) t.fail({ message: "h2load over HTTPS (100 requests, 2 connections, 10 streams each) did not get 100 2xx with h2.", expected: "Application protocol: h2, 100 2xx", received: load.output.split("\n").filter((l) => /Application protocol|requests:|status codes:|No protocol/i.test(l)).join("\n") || `exit status ${load.code}`, hint: ALPN });
    },
  },
]);
