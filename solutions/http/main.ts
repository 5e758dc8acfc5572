/**
 * The reference HTTP/1.1 and HTTP/2 server: `bun solutions/http/main.ts --port <port> --directory <dir>`.
 * HTTP itself is implemented here on TCP sockets (no Bun.serve, no node:http, no node:http2).
 */
import { resolve } from "node:path";
import { listen, type ServerOptions } from "./server.ts";
import { Proxy, type ProxyOptions } from "./proxy/proxy.ts";

/** The value after `--<name>` on the command line. */
function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Fixture switches (harness/fixtures/http/): each turns on one deliberate mistake. */
export type Mistakes = Omit<ServerOptions, "port" | "directory" | "tls" | "proxy"> & { fixedPort?: number };

export function runMain(args: string[], mistakes: Mistakes = {}, proxyMistakes: ProxyOptions = {}): void {
  // Fixture switch: listen on 4221 whatever --port says.
  const port = mistakes.fixedPort ?? Number(arg(args, "port") ?? 4221);
  const directory = resolve(arg(args, "directory") ?? ".");
  const tlsPort = arg(args, "tls-port");
  const tls = tlsPort ? { port: Number(tlsPort), cert: resolve(arg(args, "cert") ?? "cert.pem"), key: resolve(arg(args, "key") ?? "key.pem") } : undefined;
  const proxyFile = arg(args, "proxy");
  const proxy = proxyFile ? Proxy.load(resolve(proxyFile), proxyMistakes) : undefined;
  const { fixedPort: _, ...switches } = mistakes;
  listen({ port, directory, tls, proxy, ...switches });
}

if (import.meta.main) runMain(Bun.argv.slice(2));
