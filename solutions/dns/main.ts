/**
 * An authoritative DNS server for one zone:
 *   bun solutions/dns/main.ts --port <port> --zone <master file>
 * Answers over UDP and TCP on 127.0.0.1.
 */
import { defaultSteps, type Steps } from "./respond.ts";
import { serve, type ServerOptions } from "./server.ts";
import { parseZone, ZoneFileError } from "./zone.ts";
import { showName } from "./wire.ts";

export interface MainOptions {
  /** Replaces some steps of answering (the broken fixtures use this). */
  steps?: Partial<Steps>;
  /** Also serve TCP (default true). */
  tcp?: boolean;
  /** Replaces how TCP bytes are split into messages. */
  frames?: ServerOptions["frames"];
}

function usage(problem: string): never {
  console.error(`${problem}\nusage: main.ts --port <port> --zone <master file>`);
  process.exit(2);
}

export async function runMain(argv: string[], options: MainOptions = {}): Promise<void> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i]!, argv[i + 1]];
    if (!["--port", "--zone"].includes(flag) || value === undefined) usage(`unexpected argument "${flag}"`);
    args.set(flag, value);
  }
  const port = Number(args.get("--port"));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) usage("--port needs a port number");
  const file = args.get("--zone") ?? usage("--zone needs a master file");
  let zone;
  try {
    zone = parseZone(await Bun.file(file).text());
  } catch (e) {
    if (!(e instanceof ZoneFileError)) throw e;
    console.error(`${file}: ${e.message}`);
    process.exit(1);
  }
  await serve({ port, zone, steps: { ...defaultSteps, ...options.steps }, tcp: options.tcp, frames: options.frames });
  console.log(`serving ${showName(zone.origin)} (${zone.nodes.size} names) on 127.0.0.1:${port}, UDP and ${options.tcp === false ? "no TCP" : "TCP"}`);
}

if (import.meta.main) await runMain(Bun.argv.slice(2));
