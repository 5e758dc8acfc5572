/**
 * The reference tunnel, one program with two modes:
 *
 *   bun solutions/tunnel/main.ts server --control-port P --http-port P [--tcp-ports P,P…] [--https-port P --cert F --key F] [--keepalive-ms N] [--max-streams N] [--idle-timeout-ms N] [--max-bytes-per-sec N] [--tls-port P] --token T
 *   bun solutions/tunnel/main.ts client --server HOST:PORT --token T (--http NAME | --tls NAME | --tcp PORT) --to HOST:PORT [--keepalive-ms N]
 *
 * Built on node:net sockets; the framing, multiplexing and flow control are here.
 */
import { startClient, type Address, type ClientOptions } from "./client.ts";
import { startServer, type ServerOptions } from "./server.ts";

/** The value after `--<name>` on the command line. */
function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function usage(message: string): never {
  console.error(`tunnel: ${message}`);
  console.error("usage: server --control-port P --http-port P [--tcp-ports P,P] [--https-port P --cert FILE --key FILE]");
  console.error("              [--keepalive-ms N] [--max-streams N] [--idle-timeout-ms N] [--max-bytes-per-sec N] [--tls-port P] --token T");
  console.error("       client --server HOST:PORT --token T (--http NAME | --tls NAME | --tcp PORT) --to HOST:PORT [--keepalive-ms N]");
  process.exit(2);
}

function address(text: string | undefined, flag: string): Address {
  const m = text ? /^(.+):(\d+)$/.exec(text) : null;
  if (!m) usage(`--${flag} wants HOST:PORT`);
  return { host: m[1]!, port: Number(m[2]) };
}

/** Fixture switches (harness/fixtures/tunnel/): each turns on one deliberate mistake. */
export interface Mistakes {
  server?: Partial<ServerOptions>;
  client?: Partial<ClientOptions>;
}

export function runMain(args: string[], mistakes: Mistakes = {}): void {
  const [mode, ...rest] = args;
  const token = arg(rest, "token") ?? usage("--token is required");
  const keepalive = arg(rest, "keepalive-ms");
  const keepAliveMs = keepalive === undefined ? undefined : Number(keepalive);
  if (mode === "server") {
    const control = Number(arg(rest, "control-port") ?? usage("--control-port is required"));
    const http = arg(rest, "http-port");
    const tcpPorts = (arg(rest, "tcp-ports") ?? "").split(",").filter((p) => p !== "").map(Number);
    const https = arg(rest, "https-port");
    const tlsPort = arg(rest, "tls-port");
    const maxStreams = arg(rest, "max-streams");
    const idle = arg(rest, "idle-timeout-ms");
    const rate = arg(rest, "max-bytes-per-sec");
    if (rate !== undefined && !(Number(rate) > 0)) usage("--max-bytes-per-sec wants a positive number of bytes");
    const limits = { maxStreams: maxStreams === undefined ? undefined : Number(maxStreams), idleTimeoutMs: idle === undefined ? undefined : Number(idle), maxBytesPerSec: rate === undefined ? undefined : Number(rate) };
    startServer({ controlPort: control, httpPort: http === undefined ? undefined : Number(http), httpsPort: https === undefined ? undefined : Number(https), cert: arg(rest, "cert"), key: arg(rest, "key"), tcpPorts, tlsPort: tlsPort === undefined ? undefined : Number(tlsPort), token, keepAliveMs, ...limits, ...mistakes.server });
    return;
  }
  if (mode === "client") {
    const name = arg(rest, "http");
    const tlsName = arg(rest, "tls");
    const port = arg(rest, "tcp");
    if ([name, tlsName, port].filter((x) => x !== undefined).length !== 1) usage("give exactly one of --http NAME, --tls NAME and --tcp PORT");
    startClient({ server: address(arg(rest, "server"), "server"), token, http: name, tls: tlsName, tcp: port === undefined ? undefined : Number(port), to: address(arg(rest, "to"), "to"), keepAliveMs, ...mistakes.client });
    return;
  }
  usage(`the first argument is "server" or "client" (got ${mode === undefined ? "nothing" : `"${mode}"`})`);
}

if (import.meta.main) runMain(Bun.argv.slice(2));
