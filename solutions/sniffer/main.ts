/**
 * A packet sniffer with tcpdump's command line, from the packet socket up:
 *   bun solutions/sniffer/main.ts -i <iface> [-n] [-e] [-l] [-c <count>]
 * One line per frame on stdout (tcpdump's format); on exit (after -c frames,
 * or on SIGINT/SIGTERM) the closing counts on stderr.
 */
import { writeSync } from "node:fs";
import { parseArgs } from "node:util";
import { timeOfDay } from "./bytes.ts";
import { PACKET_OUTGOING } from "./libc.ts";
import { defaultPrinters, LinePrinter, type Printers } from "./line.ts";
import type { Received } from "./recv-worker.ts";
import { PacketSocket, type Stats } from "./socket.ts";

export interface SnifferOptions {
  /** Replaces some of the printers (the broken fixtures use this). */
  printers?: Partial<Printers>;
  /** Keep the second copy loopback gives of each frame (a fixture's mistake). */
  keepOutgoingOnLoopback?: boolean;
  /** Bind to every interface instead of the one named by -i (a fixture's mistake). */
  anyInterface?: boolean;
  /** Leave SIGINT to its default action (a fixture's mistake). */
  noSignalHandler?: boolean;
  /** Formats the capture time (a fixture replaces it). */
  time?: (r: Received) => string;
  /** The closing counts' text (a fixture replaces it). */
  closing?: (captured: number, stats: Stats) => string;
}

export const closingCounts = (captured: number, stats: Stats): string =>
  `${captured} packets captured\n${stats.received} packets received by filter\n${stats.dropped} packets dropped by kernel\n`;

function usage(problem: string): never {
  process.stderr.write(`${problem}\nusage: main.ts -i <iface> [-n] [-e] [-l] [-c <count>]\n`);
  process.exit(2);
}

export async function runMain(argv: string[], options: SnifferOptions = {}): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { i: { type: "string" }, n: { type: "boolean" }, e: { type: "boolean" }, l: { type: "boolean" }, c: { type: "string" } },
      strict: true,
    }));
  } catch (e) {
    usage((e as Error).message);
  }
  const iface = values.i ?? usage("-i <iface> is required");
  const count = values.c === undefined ? Infinity : Number(values.c);
  if (!(count > 0 && Number.isInteger(count) || count === Infinity)) usage(`-c needs a positive count (got "${values.c}")`);

  let socket: PacketSocket;
  try {
    socket = PacketSocket.open(iface, options.anyInterface);
  } catch (e) {
    usage((e as Error).message);
  }
  const printer = new LinePrinter(values.e === true, { ...defaultPrinters, ...options.printers });
  const time = options.time ?? ((r: Received) => timeOfDay(r.sec, r.usec));
  writeSync(2, `listening on ${iface}, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n`);

  let captured = 0;
  const finish = (): never => {
    writeSync(2, (options.closing ?? closingCounts)(captured, socket.stats()));
    process.exit(0);
  };
  if (!options.noSignalHandler) {
    process.on("SIGINT", finish);
    process.on("SIGTERM", finish);
  }

  // Loopback hands a packet socket each frame twice: as sent (OUTGOING) and as received. Keep one.
  const dropOutgoing = iface === "lo" && !options.keepOutgoingOnLoopback;
  const worker = new Worker(new URL("./recv-worker.ts", import.meta.url).href);
  worker.onmessage = (e: MessageEvent<Received>) => {
    const r = e.data;
    if (dropOutgoing && r.pktType === PACKET_OUTGOING) return;
    if (captured >= count) return;
    captured++;
    writeSync(1, `${time(r)} ${printer.line(r.frame)}\n`);
    if (captured >= count) finish();
  };
  worker.postMessage(socket.fd);
}

if (import.meta.main) await runMain(Bun.argv.slice(2));
