import type { TLSSocket } from "node:tls";
import { clientHello, handshakeRecord, otherExtensions, serverNameExtension, type Extension } from "../../challenges/tunnel/clients/client-hello.ts";
import { HelloSplitter } from "../../challenges/tunnel/clients/hello-splitter.ts";
import { curl, CURL_PACKAGE, expectBody } from "../../harness/clients/http.ts";
import { makeCertificate } from "../../harness/clients/http-tls.ts";
import { LocalHttpService, startTcpService } from "../../harness/clients/local-service.ts";
import { StreamSocket } from "../../challenges/tunnel/clients/stream-socket.ts";
import { visible } from "../../harness/report/show.ts";
import { clientArgs, publicUrl, startTunnelClient, startTunnelServer, waitForReadyLine, type TunnelServer } from "../../challenges/tunnel/clients/tunnel.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const PASS_THROUGH = "On --tls-port, do not terminate TLS: read the ClientHello without answering it, take the host name from its server_name extension (SNI, RFC 6066 §3), pick the TLS tunnel by that name's first label, and forward every byte — the ClientHello first — as it is. The local service holds the certificate and completes the handshake; the server never has the keys.";
const SNI = "Route each connection on --tls-port by the server_name (SNI) in its ClientHello (RFC 6066 §3): the first label of the host name is the TLS tunnel's name, as the Host header's is for HTTP. A name no tunnel holds gets a fatal unrecognized_name(112) alert (bytes 15 03 03 00 02 02 70) and the connection closed.";
const ANY_POSITION = "Walk every extension of the ClientHello until you find server_name (type 0): it may come anywhere. BoringSSL (Chrome's TLS) permutes the extension order on every connection, and clients send GREASE values (RFC 8701) and others before it. Compare its first label case-insensitively, as the Host header's.";
const NAMES = "TLS tunnels (--tls NAME) have a name space of their own: keep them apart from HTTP tunnels (--http NAME), so that the same name may be held once as each, --tls-port routes only to TLS tunnels and --http-port only to HTTP ones.";

/** The fatal unrecognized_name alert (RFC 6066 §3), as one TLS 1.2 record. */
const ALERT = Buffer.from([21, 3, 3, 0, 2, 2, 112]);
const REASSEMBLE = "Keep reading until the whole ClientHello is in: it may arrive in several TCP segments, and span several TLS records (RFC 8446 §5.1: records of type 22 carry the handshake bytes; the handshake header gives the message's length). Only then route it, and forward everything read so far, unchanged.";

/** curl https://HOST:PORT/PATH through the public side, trusting only `cacert`; the exit code and what it printed. */
async function curlTls(t: CaseContext, host: string, port: number, path: string, cacert: string): Promise<{ code: number; body: string; error: string }> {
  const r = await t.client(CURL_PACKAGE, ["curl", "-sS", "--max-time", "4", "--cacert", cacert, "--resolve", `${host}:${port}:127.0.0.1`, `https://${host}:${port}${path}`], { timeoutMs: 6000 });
  const error = r.output.split("\n").find((l) => l.startsWith("curl: ")) ?? (r.code === 0 ? "" : `exit status ${r.code}`);
  return { code: r.code, body: r.stdout, error };
}

/** A local HTTPS service for TLS tunnel `name`: it answers with its name, the path and the SNI it saw. */
async function tlsService(t: CaseContext, name: string, cert: { cert: string; key: string }): Promise<LocalHttpService> {
  return LocalHttpService.start(t, `local service of ${name}`, (req) => req.reply(200, [], `${name} over its own TLS: ${req.target} (SNI ${(req.conn.sock as TLSSocket).servername || "none"})`), { tls: cert });
}

async function tlsServer(t: CaseContext): Promise<TunnelServer & { tlsPort: number }> {
  // The server gets a certificate of its own (for --https-port) too: TLS tunnels must not use it.
  const server = await startTunnelServer(t, { tls: true, tlsTunnels: true });
  return { ...server, tlsPort: server.tlsPort! };
}

export default stage(import.meta, [
  {
    name: "ClientHellos with server_name first, in the middle, last and in capitals are each routed and forwarded byte for byte; one without server_name gets the alert",
    async run(t) {
      const server = await tlsServer(t);
      const name = t.rand.word();
      const conns: StreamSocket[] = [];
      // The local service plays a TLS server only as far as the test needs: it records the bytes and answers with a marker.
      const local = await startTcpService(t, `local service of ${name}`, (conn) => void conns.push(conn));
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, tls: name, to: local });
      const random = (n: number) => t.rand.bytes(n);
      const others = t.rand.shuffle(otherExtensions(random).slice(1)).slice(0, t.rand.int(5, 10));
      const grease = otherExtensions(random)[0]!;
      const at = (host: string, i: number): Extension[] => [...others.slice(0, i), serverNameExtension(host), ...others.slice(i)];
      const variants: [string, string, Extension[]][] = [
        ["first", `${name}.localhost`, at(`${name}.localhost`, 0)],
        [`after GREASE, extension 2 of ${others.length + 2}`, `${name}.localhost`, [grease, ...at(`${name}.localhost`, 0)]],
        [`in the middle, extension ${(others.length >> 1) + 1} of ${others.length + 1}`, `${name}.localhost`, at(`${name}.localhost`, others.length >> 1)],
        [`last, extension ${others.length + 1} of ${others.length + 1}`, `${name}.localhost`, at(`${name}.localhost`, others.length)],
        ["first, in capitals", `${name.toUpperCase()}.LocalHost`, at(`${name.toUpperCase()}.LocalHost`, 0)],
      ];
      for (const [where, host, extensions] of variants) {
        const hello = handshakeRecord(clientHello(extensions, random));
        const user = await StreamSocket.connect(t, `public user (server_name ${host}, ${where})`, server.tlsPort);
        user.log(`> a ClientHello of ${hello.length} bytes, extensions ${extensions.map((e) => e.type).join(",")}`);
        await user.write(hello, false);
        const n = conns.length;
        const deadline = Date.now() + 3000;
        while (conns.length === n && Date.now() < deadline) await Bun.sleep(20);
        const arrived = conns.length > n && (await conns[n]!.until(() => conns[n]!.received >= hello.length, Math.max(0, deadline - Date.now())));
        if (!arrived) {
          const got = await user.until(() => user.closed, 1000).then(() => user.bytes());
          t.fail({
            message: `A ClientHello whose server_name ${host} is ${where} (extension types ${extensions.map((e) => e.type).join(", ")}) did not reach the TLS tunnel ${name}'s local service within 3 s.`,
            expected: "the ClientHello forwarded to the local service",
            received: got.equals(ALERT) ? "the unrecognized_name alert: the server did not find the name" : got.length > 0 ? visible(got.subarray(0, 40)) : "nothing",
            hint: ANY_POSITION,
          });
        }
        const conn = conns[conns.length - 1]!;
        if (!conn.bytes().equals(hello)) t.fail({ message: `The local service received different bytes than the ClientHello the public user sent (server_name ${where}).`, expected: `${hello.length} bytes, as sent`, received: `${conn.received} bytes${conn.received === hello.length ? ", different" : ""}`, hint: PASS_THROUGH });
        const answer = `server flight ${t.rand.key()}`;
        await conn.write(answer);
        if (!(await user.until(() => user.received >= answer.length, 3000)) || user.bytes().toString("latin1") !== answer) t.fail({ message: "The local service's answer to the ClientHello did not come back to the public user as it was.", expected: answer, received: visible(user.bytes()), hint: PASS_THROUGH });
        user.destroy();
      }
      const bare = handshakeRecord(clientHello(others, random));
      const user = await StreamSocket.connect(t, "public user (no server_name)", server.tlsPort);
      user.log(`> a ClientHello of ${bare.length} bytes without server_name, extensions ${others.map((e) => e.type).join(",")}`);
      await user.write(bare, false);
      await user.until(() => user.ended, 3000);
      if (!user.bytes().equals(ALERT)) t.fail({ message: "A ClientHello without server_name should be refused with the unrecognized_name alert, then the connection closed.", expected: `${visible(ALERT)}, then the end of the connection`, received: `${visible(user.bytes()) || "nothing"}${user.ended ? ", then the end" : ", and the connection still open after 3 s"}`, hint: SNI });
    },
  },
  {
    name: "curl verifies the local service's own certificate through --tls-port: TLS passes through the tunnel undecrypted",
    async run(t) {
      const server = await tlsServer(t);
      const name = t.rand.word();
      const host = `${name}.localhost`;
      const cert = await makeCertificate(t, name, [host]);
      const local = await tlsService(t, name, cert);
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, tls: name, to: local.port });
      const path = `/inside/${t.rand.int(1000, 9999)}`;
      const r = await curlTls(t, host, server.tlsPort, path, cert.cert);
      if (r.code !== 0) {
        t.fail({
          message: `curl could not complete a TLS handshake for ${host} on --tls-port ${server.tlsPort}, trusting only the local service's certificate: the handshake did not reach the local service as it was.${r.code === 60 ? " curl was shown a certificate that is not the local service's: something on the way answered the handshake itself — the server terminated TLS." : ""}`,
          expected: "the local service's certificate, verified, then its response",
          received: r.error,
          hint: PASS_THROUGH,
        });
      }
      t.expectEqual(r.body, `${name} over its own TLS: ${path} (SNI ${host})`, { message: "The response should be the local service's, which completed the handshake itself and saw curl's SNI.", hint: PASS_THROUGH });
    },
  },
  {
    name: "two TLS tunnels are told apart by SNI, beside an HTTP tunnel of the same name; a name nobody holds gets the unrecognized_name alert",
    async run(t) {
      const server = await tlsServer(t);
      const a = t.rand.word();
      const b = `${a}x${t.rand.int(10, 99)}`;
      const unknown = `${a}y${t.rand.int(10, 99)}`;
      // One certificate for all three names, so that curl's verification says nothing about where a connection went: the bodies do.
      const cert = await makeCertificate(t, "local", [a, b, unknown].map((n) => `${n}.localhost`));
      // An HTTP tunnel holds the name a first: TLS names are a name space of their own, so the TLS tunnel a registers beside it.
      const plain = await LocalHttpService.start(t, `HTTP tunnel ${a}'s local service`, (req) => req.reply(200, [], `HTTP tunnel ${a}: ${req.target}`));
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: a, to: plain.port });
      for (const name of [a, b]) {
        const local = await tlsService(t, name, cert);
        const client = await t.start({ args: clientArgs({ serverPort: server.controlPort, token: server.token, tls: name, to: local.port }), ready: "none" });
        try {
          await waitForReadyLine(t, client, 5000);
        } catch (e) {
          if (name !== a) throw e;
          t.fail({ message: `The TLS tunnel ${a} did not register while an HTTP tunnel held the name ${a}: a --tls name is a name space of its own, apart from --http names.`, expected: "a line on stdout: tunnel ready <public address>", received: client.process.output.tail(8) || "(no output)", hint: NAMES });
        }
      }
      for (const name of [b, a]) {
        const r = await curlTls(t, `${name}.localhost`, server.tlsPort, "/", cert.cert);
        if (r.code !== 0) t.fail({ message: `curl could not get https://${name}.localhost:${server.tlsPort}/ through the TLS tunnel ${name}.`, expected: "a verified handshake and a response", received: r.error, hint: PASS_THROUGH });
        t.expectEqual(r.body, `${name} over its own TLS: / (SNI ${name}.localhost)`, { message: `A connection with SNI ${name}.localhost should reach ${name}'s local service.`, hint: SNI });
      }
      const viaHttp = await curl(t, publicUrl(server, a, "/plain").args, { message: `curl could not GET http://${a}.localhost:${server.httpPort}/plain from the HTTP tunnel ${a}.`, hint: NAMES });
      expectBody(viaHttp.responses[0]!, `HTTP tunnel ${a}: /plain`, { message: `A plain HTTP request for ${a} should reach the HTTP tunnel ${a}, not the TLS tunnel of the same name.`, hint: NAMES });
      const r = await curlTls(t, `${unknown}.localhost`, server.tlsPort, "/", cert.cert);
      const alerted = r.code !== 0 && /unrecognized name/i.test(r.error);
      if (!alerted) {
        t.fail({
          message: `No client registered the TLS name ${unknown}; a connection with SNI ${unknown}.localhost should be refused with the unrecognized_name alert.`,
          expected: "curl: (35) … tlsv1 unrecognized name",
          received: r.code === 0 ? `a response: ${r.body}` : r.error,
          hint: SNI,
        });
      }
    },
  },
  {
    name: "a ClientHello in two TLS records and small TCP pieces is reassembled, then routed",
    async run(t) {
      const server = await tlsServer(t);
      const name = t.rand.word();
      const host = `${name}.localhost`;
      const cert = await makeCertificate(t, name, [host]);
      const local = await tlsService(t, name, cert);
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, tls: name, to: local.port });
      // The cut falls inside the server name, so that no record alone holds it.
      const relay = await HelloSplitter.start(t, server.tlsPort, { piece: 40, pauseMs: 15, cutInside: host });
      const r = await curlTls(t, host, relay.port, "/pieces", cert.cert);
      if (relay.split === 0) t.fail({ message: "curl's first bytes through the relay were not a TLS record.", hint: "(a problem with the test's relay or curl)" });
      if (r.code !== 0) {
        t.fail({
          message: `curl's ClientHello reached --tls-port cut into two TLS records, the first ending in the middle of the server name, 40 bytes at a time 15 ms apart; the handshake did not get through to the local service.`,
          expected: "a verified handshake and the local service's response",
          received: r.error,
          hint: REASSEMBLE,
        });
      }
      t.expectEqual(r.body, `${name} over its own TLS: /pieces (SNI ${host})`, { message: "The response should be the local service's.", hint: REASSEMBLE });
    },
  },
]);
