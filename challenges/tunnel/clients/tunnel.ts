/**
 * Starting a tunnel implementation in its two roles — the public server and
 * the client that registers with it — and the black-box checks on them: the
 * client's ready line, and the TCP connections it holds to the server (read
 * from the kernel's socket table).
 */
import { hexPort, isListening, socketRows } from "../../../harness/process/listening.ts";
import { StageFailure } from "../../../harness/report/failure.ts";
import { caseEnded, never } from "../../../harness/stage/case-ended.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";
import { makeCertificate } from "../../../harness/clients/http-tls.ts";

export interface TunnelServer {
  program: Program;
  controlPort: number;
  httpPort: number;
  tcpPorts: number[];
  token: string;
  /** With `tls`: the HTTPS port and the self-signed certificate (PEM, for localhost) the server was given, its own CA. */
  httpsPort?: number;
  certFile?: string;
  /** With `tlsTunnels`: the --tls-port, where TLS connections are routed by SNI and passed through. */
  tlsPort?: number;
}

/** The line a client prints once registered (the rest of the line is free: a URL, a port). */
export const READY = /^tunnel ready\b.*$/m;

/**
 * Starts `<program> server --control-port P --http-port P --tcp-ports P,P --token T`
 * and waits until it listens on the control and HTTP ports.
 */
export async function startTunnelServer(t: CaseContext, o: { tcpPorts?: number; tls?: boolean; tlsTunnels?: boolean; keepAliveMs?: number; args?: string[] } = {}): Promise<TunnelServer> {
  const httpPort = await t.port();
  const tcpPorts: number[] = [];
  for (let i = 0; i < (o.tcpPorts ?? 0); i++) tcpPorts.push(await t.port());
  const token = `${t.rand.word()}-${t.rand.int(100000, 999999)}`;
  const extra = ["--http-port", String(httpPort), ...(tcpPorts.length > 0 ? ["--tcp-ports", tcpPorts.join(",")] : [])];
  let tls: { httpsPort: number; certFile: string } | undefined;
  if (o.tls) {
    const { cert, key } = await makeCertificate(t, "tunnel");
    tls = { httpsPort: await t.port(), certFile: cert };
    extra.push("--https-port", String(tls.httpsPort), "--cert", cert, "--key", key);
  }
  const tlsPort = o.tlsTunnels ? await t.port() : undefined;
  if (tlsPort !== undefined) extra.push("--tls-port", String(tlsPort));
  if (o.keepAliveMs !== undefined) extra.push("--keepalive-ms", String(o.keepAliveMs));
  extra.push(...(o.args ?? []), "--token", token);
  const program = await t.start({ extraArgs: extra });
  for (const [port, flag] of [[httpPort, "--http-port"], ...(tls ? [[tls.httpsPort, "--https-port"] as const] : []), ...(tlsPort !== undefined ? [[tlsPort, "--tls-port"] as const] : [])] as const) {
    const deadline = Date.now() + 3000;
    while (!isListening(port, "tcp")) {
      if (Date.now() > deadline || program.process.exitCode !== null) {
        throw new StageFailure({
          message: `Your server listens on its --control-port ${program.port} but not on its ${flag} ${port}.`,
          hint: `The server listens on every port it is given: tunnel clients connect to --control-port, public users to ${flag}.`,
        });
      }
      await Bun.sleep(20);
    }
  }
  return { program, controlPort: program.port, httpPort, tcpPorts, token, ...tls, tlsPort };
}

export interface ClientArgs {
  /** host:port the client dials (the server's control port, or a relay in front of it). */
  serverPort: number;
  token: string;
  http?: string;
  /** A TLS tunnel's name (routed by SNI on the server's --tls-port). */
  tls?: string;
  tcp?: number;
  /** The local service's port. */
  to: number;
  keepAliveMs?: number;
}

export function clientArgs(a: ClientArgs): string[] {
  const what = a.http !== undefined ? ["--http", a.http] : a.tls !== undefined ? ["--tls", a.tls] : ["--tcp", String(a.tcp)];
  const keepalive = a.keepAliveMs === undefined ? [] : ["--keepalive-ms", String(a.keepAliveMs)];
  return ["client", "--server", `127.0.0.1:${a.serverPort}`, "--token", a.token, ...what, "--to", `127.0.0.1:${a.to}`, ...keepalive];
}

/** Starts `<program> client …` and waits (bounded) for its ready line on stdout. */
export async function startTunnelClient(t: CaseContext, a: ClientArgs, timeoutMs = 5000): Promise<Program> {
  const program = await t.start({ args: clientArgs(a), ready: "none" });
  await waitForReadyLine(t, program, timeoutMs);
  return program;
}

/** Waits for a `tunnel ready…` line (after the first `skip` of them), bounded; fails if the client exits first (with `why`'s message and hint, when given, instead of the general ones). */
export async function waitForReadyLine(t: CaseContext, client: Program, timeoutMs: number, skip = 0, why?: { message: string; hint: string }): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = client.process.stdout.text().split("\n").filter((l) => READY.test(l));
    if (lines.length > skip) {
      t.log.output(`(the client printed: ${lines[skip]})`);
      return lines[skip]!;
    }
    // The case is over (a wait it never awaited): stop without failing the next case.
    if (caseEnded(t.signal)) return never();
    const code = client.process.exitCode;
    if (code !== null || Date.now() > deadline || t.signal.aborted) {
      throw new StageFailure({
        message:
          (why ? `${why.message} ` : "") +
          (code !== null
            ? `The tunnel client exited with code ${code} instead of registering and printing "tunnel ready …".`
            : `The tunnel client did not print a line starting with "tunnel ready" within ${timeoutMs / 1000} s.`),
        expected: "a line on stdout: tunnel ready <public address>",
        received: client.process.output.tail(8) || "(no output)",
        hint: why?.hint ?? "Once the server has accepted the registration, print one line starting with `tunnel ready` (e.g. `tunnel ready: http://NAME.localhost:PORT`) and flush stdout.",
      });
    }
    await Bun.sleep(20);
  }
}

/**
 * Established TCP connections on this machine whose remote end is 127.0.0.1:`port`:
 * the connections clients hold to a server listening there (the server's own
 * accepted ends have it as their local port, and are not counted).
 */
export function connectionsTo(port: number): number {
  const suffix = `:${hexPort(port)}`;
  let n = 0;
  for (const cols of socketRows("tcp")) if (cols[2]?.endsWith(suffix) && cols[3] === "01") n++;
  return n;
}

/** The public Host of an HTTP tunnel, and curl's arguments to reach it on the server's HTTP port (or HTTPS port). */
export function publicUrl(server: TunnelServer, name: string, path = "/", scheme: "http" | "https" = "http"): { host: string; args: string[] } {
  const host = `${name}.localhost`;
  const port = scheme === "https" ? server.httpsPort : server.httpPort;
  return { host, args: ["--resolve", `${host}:${port}:127.0.0.1`, `${scheme}://${host}:${port}${path}`] };
}

/** What a client that should be refused did: printed its ready line (and maybe exited non-zero right after: `thenExited`), exited, or neither. */
export type Outcome = { kind: "ready"; line: string; thenExited?: number } | { kind: "exited"; code: number; output: string } | { kind: "neither" };

/** Starts a client that should be refused, and waits (bounded) until it exits or prints its ready line. */
export async function clientOutcome(t: CaseContext, a: ClientArgs, timeoutMs = 5000): Promise<Outcome> {
  const program = await t.start({ args: clientArgs(a), ready: "none" });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = program.process.stdout.text().split("\n").find((l) => READY.test(l));
    if (line !== undefined) {
      t.log.output(`(the client printed: ${line})`);
      // A client that printed its line before the server answered exits non-zero a moment later, when refused.
      await program.process.waitExit(1000);
      const code = program.process.exitCode;
      return code !== null && code !== 0 ? { kind: "ready", line, thenExited: code } : { kind: "ready", line };
    }
    const code = program.process.exitCode;
    if (code !== null) {
      await program.process.waitExit(1000);
      const output = program.process.output.text();
      t.log.output(`(the client exited with code ${code}${output.trim() ? `, printing: ${output.trim()}` : ""})`);
      return { kind: "exited", code, output };
    }
    if (caseEnded(t.signal)) return never();
    if (Date.now() > deadline || t.signal.aborted) return { kind: "neither" };
    await Bun.sleep(20);
  }
}
