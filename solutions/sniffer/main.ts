/**
 * A packet sniffer with tcpdump's command line, from the packet socket up:
 *   bun solutions/sniffer/main.ts -i <iface> [-B <KiB>] [-n] [-e] [-l] [-q] [-t…] [-x|-xx|-X|-XX] [-A] [-c <count>] [-w <file>] [<filter expression>]
 *   bun solutions/sniffer/main.ts -r <file> [-n] [-e] [-c <count>] [<filter expression>]
 *   bun solutions/sniffer/main.ts -d [<filter expression>]
 *   bun solutions/sniffer/main.ts -r <file> -z follow,tcp,ascii,<n>
 *   bun solutions/sniffer/main.ts -r <file> -q -z conv,tcp | -z io,stat,<interval>
 * Capturing: one line per frame on stdout in tcpdump's format (or each frame
 * into a pcap file with -w); on exit (after -c frames, or on SIGINT/SIGTERM)
 * the closing counts on stderr. Reading (-r): a pcap or pcapng file's frames,
 * printed with their recorded times. A filter expression (pcap-filter(7),
 * the part filter/parse.ts reads) is compiled to classic BPF and attached to
 * the socket, so the kernel drops what does not match; -d prints that
 * program as tcpdump -d does, and captures nothing. -z follow,tcp,ascii,<n>
 * prints TCP stream n of a capture file as tshark -q -z does; -z conv,tcp and
 * -z io,stat,<interval> print tshark's conversation and interval tables.
 */
import { readFileSync, writeSync } from "node:fs";
import { parseArgs } from "node:util";
import { Stamper } from "./bytes.ts";
import { PACKET_OUTGOING } from "./libc.ts";
import { asciiDump, hexDump, type HexStyle } from "./hexdump.ts";
import { defaultPrinters, LinePrinter, quickPrinters, type Printers } from "./line.ts";
import { CaptureFileError, PcapWriter, readCaptureFile, SNAPLEN, type PcapWriterOptions, type Record } from "./pcap.ts";
import { compileFilter, type Insn } from "./filter/compile.ts";
import { programImage, type ImageStyle } from "./filter/image.ts";
import { followText, type FollowOptions, type FollowStyle } from "./follow.ts";
import { convTcpText, ioStatText, parseInterval, type StatsOptions } from "./stats.ts";
import { FilterSyntaxError, parseFilter, type Filter } from "./filter/parse.ts";
import { runFilter } from "./filter/run.ts";
import { framesOf, type Batch, type Received } from "./batch.ts";
import { DEFAULT_RING, PacketSocket, type Stats } from "./socket.ts";

export interface SnifferOptions {
  /** Replaces some of the printers (the broken fixtures use this). */
  printers?: Partial<Printers>;
  /** Keep the second copy loopback gives of each frame (a fixture's mistake). */
  keepOutgoingOnLoopback?: boolean;
  /** Print "listening on …" once capturing (a fixture leaves it out). */
  listeningLine?: boolean;
  /** Skip every outgoing frame, on any interface (a fixture's mistake). */
  dropAllOutgoing?: boolean;
  /** Bind to every interface instead of the one named by -i (a fixture's mistake). */
  anyInterface?: boolean;
  /** Leave SIGINT to its default action (a fixture's mistake). */
  noSignalHandler?: boolean;
  /** Formats a frame's time, without the space after it (a fixture replaces it; -t options then have no effect). */
  time?: (sec: number, usec: number) => string;
  /** Makes what prints the -t… timestamps (fixtures' mistakes). */
  stamper?: (level: number) => Stamper;
  /** The closing counts' text (a fixture replaces it). */
  closing?: (captured: number, stats: Stats) => string;
  /** How -w writes (fixtures' mistakes). */
  pcap?: PcapWriterOptions;
  /** How -r reads a file (a fixture replaces it). */
  read?: (data: Buffer) => Record[];
  /** Reads a filter expression (a fixture replaces it). */
  parse?: (text: string) => Filter;
  /** Compiles a filter to classic BPF (a fixture replaces it). */
  compile?: (f: Filter) => Insn[];
  /** How -z follow reassembles and prints (fixtures' mistakes). */
  follow?: FollowOptions & FollowStyle;
  /** How -z conv,tcp and -z io,stat count and print (fixtures' mistakes). */
  stats?: StatsOptions;
  /** How -d prints the program (fixtures' mistakes). */
  image?: ImageStyle;
  /** How -x/-X dump (fixtures' mistakes). */
  hex?: Partial<HexStyle>;
  /** Replaces -A's text of the bytes after the link-level header (a fixture's mistake). */
  ascii?: (bytes: Uint8Array) => string;
  /** Replaces the dump of the bytes -x/-X print (a fixture's mistake). */
  dump?: (bytes: Uint8Array, style: HexStyle) => string;
  /** Opens the packet socket (a fixture replaces it). */
  openSocket?: typeof PacketSocket.open;
  /** Hold the packet lines until the capture ends instead of writing each at once (a fixture's mistake). */
  holdLines?: boolean;
  /** With -w, print the packet lines too (a fixture's mistake). */
  linesWithWrite?: boolean;
  /** Whether to print a captured frame (a fixture filters in user space here). */
  keep?: (frame: Uint8Array) => boolean;
}

export const closingCounts = (captured: number, stats: Stats): string =>
  `${captured} packets captured\n${stats.received} packets received by filter\n${stats.dropped} packets dropped by kernel\n`;

const USAGE = "usage: main.ts -i <iface> [-B <KiB>] [-n] [-e] [-l] [-q] [-t…] [-x|-xx|-X|-XX|-A] [-c <count>] [-w <file>] [expression] | -r <file> [-n] [-e] [-x|-X…] [-c <count>] [expression] | -d [expression] | -r <file> [-q] -z follow,tcp,ascii,<n> | -z conv,tcp | -z io,stat,<interval>";

function usage(problem: string): never {
  process.stderr.write(`${problem}\n${USAGE}\n`);
  process.exit(2);
}

export async function runMain(argv: string[], options: SnifferOptions = {}): Promise<void> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        i: { type: "string" }, B: { type: "string" }, n: { type: "boolean" }, e: { type: "boolean" }, l: { type: "boolean" }, c: { type: "string" }, w: { type: "string" }, r: { type: "string" },
        x: { type: "boolean", multiple: true }, X: { type: "boolean", multiple: true }, A: { type: "boolean" }, t: { type: "boolean", multiple: true }, q: { type: "boolean" }, d: { type: "boolean" }, z: { type: "string" },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (e) {
    usage((e as Error).message);
  }
  const count = values.c === undefined ? Infinity : Number(values.c);
  if (!((Number.isInteger(count) && count > 0) || count === Infinity)) usage(`-c needs a positive count (got "${values.c}")`);
  // -B: the capture buffer in KiB (the ring's size, in whole blocks).
  const bufferKiB = values.B === undefined ? undefined : Number(values.B);
  if (bufferKiB !== undefined && !(Number.isInteger(bufferKiB) && bufferKiB > 0)) usage(`-B needs a positive size in KiB (got "${values.B}")`);
  const ring = bufferKiB === undefined ? DEFAULT_RING : { ...DEFAULT_RING, blockCount: Math.max(1, Math.floor((bufferKiB * 1024) / DEFAULT_RING.blockSize)) };
  const printer = new LinePrinter(values.e === true, { ...defaultPrinters, ...(values.q ? quickPrinters : {}), ...options.printers });
  // A filter expression (its words joined, as tcpdump does), compiled to classic BPF.
  let filter: Insn[] | undefined;
  if (positionals.length > 0) {
    try {
      filter = (options.compile ?? compileFilter)((options.parse ?? parseFilter)(positionals.join(" ")));
    } catch (e) {
      if (!(e instanceof FilterSyntaxError)) throw e;
      usage(e.message);
    }
  }
  if (values.d) {
    // -d: the program (for no expression, the one that keeps every frame whole), then exit without capturing.
    writeSync(1, `${programImage(filter ?? [{ code: 0x06, jt: 0, jf: 0, k: SNAPLEN }], options.image)}\n`);
    process.exit(0);
  }
  const stamper = (options.stamper ?? ((level: number) => new Stamper(level)))(values.t?.length ?? 0);
  const time = options.time ? (sec: number, usec: number) => `${options.time!(sec, usec)} ` : (sec: number, usec: number) => stamper.stamp(sec, usec);
  // -x/-X dump the frame after its link-level header; -xx/-XX the whole frame.
  const hexLevel = Math.max(values.x?.length ?? 0, values.X?.length ?? 0);
  const hexStyle: HexStyle = { ascii: (values.X?.length ?? 0) > 0, ...options.hex };
  // -A: the frame after its link-level header as text (-x and -X come first).
  const dump = (frame: Uint8Array) => (hexLevel > 0 ? (options.dump ?? hexDump)(hexLevel >= 2 ? frame : frame.subarray(14), hexStyle) : values.A ? (options.ascii ?? asciiDump)(frame.subarray(14)) : "");
  const line = (sec: number, usec: number, frame: Uint8Array) => `${time(sec, usec)}${printer.line(frame)}${dump(frame)}\n`;

  if (values.z !== undefined) {
    // -z: statistics of a capture file, as tshark -q -z prints them, instead of packet lines.
    const follow = /^follow,tcp,ascii,(\d+)$/.exec(values.z);
    const io = /^io,stat,([^,]*)$/.exec(values.z);
    const interval = io ? parseInterval(io[1]!) : undefined;
    if (io && !interval) usage(`-z io,stat,<interval>: the interval is a number of seconds, 0.000001 or more, or 0 (got "${io[1]}")`);
    if (!follow && !interval && values.z !== "conv,tcp") usage(`-z: only follow,tcp,ascii,<n>, conv,tcp and io,stat,<interval> are known (got "${values.z}")`);
    if (values.r === undefined) usage("-z needs -r <file>");
    const records = readRecords(values.r, options.read ?? readCaptureFile);
    if (follow) writeSync(1, followText(records, Number(follow[1]), options.follow, options.follow));
    else if (interval) writeSync(1, ioStatText(records, interval, options.stats));
    else writeSync(1, convTcpText(records, options.stats));
    return;
  }
  if (values.r !== undefined) {
    const keep = (r: Record) => !filter || runFilter(filter, r.frame, r.length) !== 0;
    readFile(values.r, count, keep, (r) => line(r.sec, r.usec, r.frame), options.read ?? readCaptureFile);
    return;
  }
  const iface = values.i ?? usage("-i <iface> (or -r <file>) is required");
  let socket: PacketSocket;
  try {
    socket = (options.openSocket ?? PacketSocket.open)(iface, options.anyInterface, filter, ring);
  } catch (e) {
    usage((e as Error).message);
  }
  const writer = values.w === undefined ? undefined : new PcapWriter(values.w, options.pcap);
  if (options.listeningLine !== false) writeSync(2, `listening on ${iface}, link-type EN10MB (Ethernet), snapshot length ${SNAPLEN} bytes\n`);

  let captured = 0;
  const held: string[] = [];
  const finish = (): never => {
    writer?.close();
    if (held.length > 0) writeSync(1, held.join(""));
    writeSync(2, (options.closing ?? closingCounts)(captured, socket.stats()));
    process.exit(0);
  };
  if (!options.noSignalHandler) {
    process.on("SIGINT", finish);
    process.on("SIGTERM", finish);
  }

  // Loopback hands a packet socket each frame twice: as sent (OUTGOING) and as received. Keep one.
  const dropOutgoing = (iface === "lo" && !options.keepOutgoingOnLoopback) || options.dropAllOutgoing === true;
  const worker = new Worker(new URL("./ring-worker.ts", import.meta.url).href);
  const onFrame = (r: Received) => {
    if (dropOutgoing && r.pktType === PACKET_OUTGOING) return;
    if (captured >= count) return;
    if (options.keep && !options.keep(r.frame)) return;
    captured++;
    if (writer) writer.write(r);
    if (!writer || options.linesWithWrite) {
      if (options.holdLines) held.push(line(r.sec, r.usec, r.frame));
      else writeSync(1, line(r.sec, r.usec, r.frame));
    }
    if (captured >= count) finish();
  };
  worker.onmessage = (e: MessageEvent<Batch>) => {
    framesOf(e.data).forEach(onFrame);
    writer?.flush();
  };
  worker.postMessage({ fd: socket.fd, ring: socket.ring });
}

/** A capture file's records; exits 1 saying why when it cannot be read. */
function readRecords(path: string, read: (data: Buffer) => Record[]): Record[] {
  try {
    return read(readFileSync(path));
  } catch (e) {
    writeSync(2, `${path}: ${e instanceof CaptureFileError || (e as NodeJS.ErrnoException).code ? (e as Error).message : String(e)}\n`);
    process.exit(1);
  }
}

/** -r: prints the first `count` records of a capture file that `keep` accepts. */
function readFile(path: string, count: number, keep: (r: Record) => boolean, line: (r: Record) => string, read: (data: Buffer) => Record[]): void {
  const records = readRecords(path, read);
  writeSync(2, `reading from file ${path}, link-type EN10MB (Ethernet)\n`);
  for (const r of records.filter(keep).slice(0, count)) writeSync(1, line(r));
}

if (import.meta.main) await runMain(Bun.argv.slice(2));
