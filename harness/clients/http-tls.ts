/**
 * HTTPS for the tls stages: a certificate the harness makes with openssl
 * (self-signed, for 127.0.0.1 and localhost), the server started with its
 * TLS port and that certificate, and what curl and openssl s_client say
 * about the handshake (the certificate verified, the ALPN protocol chosen).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isListening } from "../process/listening.ts";
import type { CaseContext } from "../stage/context.ts";
import type { Program } from "../stage/program.ts";
import type { FailureDetails } from "../report/failure.ts";
import { CURL_PACKAGE, startWithFiles } from "./http.ts";

export const OPENSSL_PACKAGE = "openssl";

export interface TlsServer {
  server: Program;
  /** The --directory. */
  dir: string;
  tlsPort: number;
  /** The certificate (PEM) the server was given; clients trust it as their CA. */
  cert: string;
  key: string;
}

/** A self-signed certificate for 127.0.0.1 and localhost (and `dnsNames`; P-256, 2 days), made with openssl in the case's directory. */
export async function makeCertificate(t: CaseContext, name = "server", dnsNames: string[] = []): Promise<{ cert: string; key: string }> {
  const cert = join(t.dir, `${name}-cert.pem`);
  const key = join(t.dir, `${name}-key.pem`);
  const argv = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", `/CN=syscraft ${t.rand.word()}`, "-addext", `subjectAltName=IP:127.0.0.1,DNS:localhost${dnsNames.map((n) => `,DNS:${n}`).join("")}`];
  const r = await t.client(OPENSSL_PACKAGE, argv, { timeoutMs: 5000, quietStderr: true });
  if (r.code !== 0) throw new Error(`openssl could not make a certificate: ${r.output}`);
  return { cert, key };
}

/**
 * Makes a certificate, then starts the server with `--tls-port <port> --cert
 * <pem> --key <pem>` after the usual arguments (and `files` under its
 * --directory), and waits (bounded, 5 s) until the TLS port listens too.
 */
export async function startTls(t: CaseContext, files: Record<string, string | Uint8Array> = {}): Promise<TlsServer> {
  const { cert, key } = await makeCertificate(t);
  const tlsPort = await t.port();
  const { server, dir } = await startWithFiles(t, files, { extraArgs: ["--tls-port", String(tlsPort), "--cert", cert, "--key", key] });
  const deadline = Date.now() + 5000;
  while (!isListening(tlsPort, "tcp")) {
    if (Date.now() > deadline) t.fail({ message: `Your program listens on --port ${server.port} but not on --tls-port ${tlsPort} within 5 s.`, hint: "Listen on the port after --tls-port too, with TLS, using the certificate and key from --cert and --key (PEM files)." });
    await Bun.sleep(20);
  }
  return { server, dir, tlsPort, cert, key };
}

export interface CurlTlsResult {
  /** curl's %{http_version}: "2" or "1.1". */
  version: string;
  status: number;
  body: Buffer;
  /** The protocol the server accepted in ALPN, as curl -v reports it (undefined: none). */
  alpn?: string;
  trace: string;
}

let runs = 0;

/** curl https://127.0.0.1:<tls port><path>, trusting only the harness's certificate (--cacert); fails with `fail` if curl fails. */
export async function curlTls(t: CaseContext, s: TlsServer, path: string, args: string[], fail: Omit<FailureDetails, "received">): Promise<CurlTlsResult> {
  const out = join(t.dir, `curl-tls-${++runs}.out`);
  const argv = ["curl", "-sSv", "--max-time", "3", "--cacert", s.cert, "-w", "%{http_version} %{response_code}", "-o", out, ...args, `https://127.0.0.1:${s.tlsPort}${path}`];
  const r = await t.client(CURL_PACKAGE, argv, { timeoutMs: 5000, quietStderr: true });
  const trace = r.output.split("\n").filter((l) => /^[*<>]/.test(l)).join("\n");
  if (r.code !== 0) {
    const said = r.output.split("\n").find((l) => l.startsWith("curl: ")) ?? `exit status ${r.code}`;
    t.fail({ ...fail, expected: "a TLS handshake that verifies, then a response", received: `curl failed: ${said}` });
  }
  const [version = "?", status = "0"] = r.stdout.trim().split(" ");
  let body = Buffer.alloc(0);
  try {
    body = readFileSync(out);
  } catch {
    // no body
  }
  const alpn = /ALPN: server accepted (\S+)/.exec(trace)?.[1] ?? /ALPN, server accepted to use (\S+)/.exec(trace)?.[1];
  return { version, status: Number(status), body, alpn, trace };
}

/** openssl s_client with `-alpn <protocols>`: the protocol the server chose (undefined: none) and whether the certificate verified against the harness's. */
export async function opensslAlpn(t: CaseContext, s: TlsServer, protocols: string): Promise<{ alpn?: string; verified: boolean; output: string }> {
  const argv = ["openssl", "s_client", "-connect", `127.0.0.1:${s.tlsPort}`, "-alpn", protocols, "-CAfile", s.cert, "-verify_return_error"];
  const r = await t.client(OPENSSL_PACKAGE, argv, { stdin: "", timeoutMs: 4000, quietStderr: true, display: `openssl ${argv.slice(1).join(" ")} < /dev/null` });
  const alpn = /ALPN protocol: (\S+)/.exec(r.output)?.[1];
  return { alpn, verified: /Verify return code: 0 \(ok\)/.test(r.output), output: r.output };
}
