/**
 * An authoritative DNS server for one zone, and optionally a caching forwarder for every other name:
 *   bun solutions/dns/main.ts --port <port> --zone <master file> [--resolver <ip>:<port> | --root-hints <file>] [--cache-size <entries>]
 * Answers over UDP and TCP on 127.0.0.1.
 */
import { Cache } from "./cache.ts";
import { Forwarder } from "./forwarder.ts";
import { Recursor, rootHints } from "./recursor.ts";
import { defaultSteps, type Steps } from "./respond.ts";
import { serve, type ServerOptions } from "./server.ts";
import { parseZone, ZoneFileError } from "./zone.ts";
import { parseServer, Upstream } from "./upstream.ts";
import { showName } from "./wire.ts";

export interface MainOptions {
  /** Replaces some steps of answering (the broken fixtures use this). */
  steps?: Partial<Steps>;
  /** Also serve TCP (default true). */
  tcp?: boolean;
  /** Replaces how TCP bytes are split into messages. */
  frames?: ServerOptions["frames"];
  /** Makes the resolver's cache (of at most `maxEntries`). */
  cache?: (maxEntries: number) => Cache;
  /** Makes the client that asks the upstream server. */
  upstream?: () => Upstream;
  /** Rewrites the master file's text before it is parsed (a broken fixture reads it wrongly this way). */
  zoneText?: (text: string) => string;
}

function usage(problem: string): never {
  console.error(`${problem}\nusage: main.ts --port <port> --zone <master file> [--resolver <ip>:<port> | --root-hints <file>] [--cache-size <entries>]`);
  process.exit(2);
}

export async function runMain(argv: string[], options: MainOptions = {}): Promise<void> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i]!, argv[i + 1]];
    if (!["--port", "--zone", "--resolver", "--root-hints", "--cache-size"].includes(flag) || value === undefined) usage(`unexpected argument "${flag}"`);
    args.set(flag, value);
  }
  const port = Number(args.get("--port"));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) usage("--port needs a port number");
  const file = args.get("--zone") ?? usage("--zone needs a master file");
  let zone;
  try {
    const text = await Bun.file(file).text();
    zone = parseZone(options.zoneText?.(text) ?? text);
  } catch (e) {
    if (!(e instanceof ZoneFileError)) throw e;
    console.error(`${file}: ${e.message}`);
    process.exit(1);
  }
  const steps: Steps = { ...defaultSteps, ...options.steps };
  const resolver = args.get("--resolver");
  const hintsFile = args.get("--root-hints");
  const size = Number(args.get("--cache-size") ?? 10_000);
  if (!Number.isInteger(size) || size < 0) usage("--cache-size needs a number of entries");
  const cache = () => options.cache?.(size) ?? new Cache(size);
  const upstream = () => options.upstream?.() ?? new Upstream();
  if (resolver !== undefined) {
    const server = parseServer(resolver) ?? usage("--resolver needs <IPv4 address>:<port>");
    const forwarder = new Forwarder(server, cache(), upstream());
    steps.recurse ??= (q, clientId) => forwarder.answer(q, clientId);
  } else if (hintsFile !== undefined) {
    const recursor = new Recursor(rootHints(await Bun.file(hintsFile).text()), cache(), upstream());
    steps.recurse ??= (q) => recursor.answer(q);
  }
  // Replies are reused (reply-cache.ts) only when they depend on the query and the zone alone: not with a fixture's steps, nor with recursion.
  const replyCache = options.steps === undefined && steps.recurse === undefined;
  await serve({ port, zone, steps, tcp: options.tcp, frames: options.frames, replyCache });
  const forwarding = resolver !== undefined ? `; other names forwarded to ${resolver}` : hintsFile !== undefined ? `; other names resolved from the root servers in ${hintsFile}` : "";
  console.log(`serving ${showName(zone.origin)} (${zone.nodes.size} names) on 127.0.0.1:${port}, UDP and ${options.tcp === false ? "no TCP" : "TCP"}${forwarding}`);
}

if (import.meta.main) await runMain(Bun.argv.slice(2));
