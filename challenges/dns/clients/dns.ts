/**
 * DNS clients for stage tests: dig (the real client, as a learner would run
 * it), parsed into header, flags and sections, with checks that show
 * expected vs received; and raw UDP and TCP exchanges for what dig hides
 * (exact IDs and header bits, compression, malformed packets, framing).
 */
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";
import { StageFailure } from "../../../harness/report/failure.ts";
import { visible } from "../../../harness/report/show.ts";
import { framed, readWireHeader, showHeader, type WireHeader } from "./dns-wire.ts";
import { TcpConnection } from "../../../harness/clients/tcp.ts";
import { createSocket, type Socket as DgramSocket } from "node:dgram";

export const DNSUTILS = "bind9-dnsutils";

/** One resource record as dig prints it: `www.example.test. 300 IN A 10.0.0.1`. */
export interface DigRecord {
  name: string;
  ttl: number;
  class: string;
  type: string;
  data: string;
}

export type Section = "answer" | "authority" | "additional";

export interface DigResult {
  /** The command line, as the transcript shows it. */
  command: string;
  /** dig's whole output. */
  output: string;
  /** False when dig got no usable reply (timed out, refused, bad packet). */
  ok: boolean;
  /** The first error or warning dig printed (";; …"), if any. */
  problem?: string;
  id?: number;
  opcode?: string;
  status?: string;
  flags: Set<string>;
  counts: { query: number; answer: number; authority: number; additional: number };
  question: { name: string; class: string; type: string }[];
  answer: DigRecord[];
  authority: DigRecord[];
  additional: DigRecord[];
  edns?: { version: number; udp: number };
  size?: number;
  /** UDP or TCP, from dig's ";; SERVER:" line. */
  transport?: string;
}

export interface DigOptions {
  tcp?: boolean;
  /** Send RD=0 (+norec). */
  norec?: boolean;
  /** Send no OPT record (+noedns); dig sends EDNS(0) with udp 1232 by default. */
  noedns?: boolean;
  bufsize?: number;
  /** +edns=N: the EDNS version to send; with +noednsneg so that dig shows the server's first reply. */
  ednsVersion?: number;
  /** Show a truncated reply instead of retrying over TCP (+ignore). */
  ignoreTc?: boolean;
}

const SECTION_HEADINGS: Record<string, Section | "question"> = {
  "QUESTION SECTION": "question",
  "ANSWER SECTION": "answer",
  "AUTHORITY SECTION": "authority",
  "ADDITIONAL SECTION": "additional",
};

/** Parses dig's default output. */
export function parseDig(command: string, output: string): DigResult {
  const r: DigResult = { command, output, ok: false, flags: new Set(), counts: { query: 0, answer: 0, authority: 0, additional: 0 }, question: [], answer: [], authority: [], additional: [] };
  let section: Section | "question" | undefined;
  for (const line of output.split("\n")) {
    const header = /^;; ->>HEADER<<- opcode: (\w+), status: (\w+), id: (\d+)/.exec(line);
    if (header) {
      r.ok = true;
      r.opcode = header[1];
      r.status = header[2];
      r.id = Number(header[3]);
      section = undefined;
      r.question = [];
      r.answer = [];
      r.authority = [];
      r.additional = [];
      continue;
    }
    const flags = /^;; flags:([^;]*); QUERY: (\d+), ANSWER: (\d+), AUTHORITY: (\d+), ADDITIONAL: (\d+)/.exec(line);
    if (flags) {
      r.flags = new Set(flags[1]!.trim().split(/\s+/).filter(Boolean));
      r.counts = { query: Number(flags[2]), answer: Number(flags[3]), authority: Number(flags[4]), additional: Number(flags[5]) };
      continue;
    }
    const edns = /^; EDNS: version: (\d+), flags:.*; udp: (\d+)/.exec(line);
    if (edns) r.edns = { version: Number(edns[1]), udp: Number(edns[2]) };
    const size = /^;; MSG SIZE\s+rcvd: (\d+)/.exec(line);
    if (size) r.size = Number(size[1]);
    const server = /^;; SERVER: .*\((UDP|TCP)\)/.exec(line);
    if (server) r.transport = server[1];
    const heading = /^;; ([A-Z ]+SECTION):/.exec(line);
    if (heading) {
      section = SECTION_HEADINGS[heading[1]!];
      continue;
    }
    if (line.trim() === "") {
      section = undefined;
      continue;
    }
    if (/^;; /.test(line) && !r.problem && /error|timed out|mismatch|not set|bad packet|refused|reset|no servers|Warning|couldn't|failed/i.test(line)) r.problem = line.slice(3);
    if (section === "question") {
      const [name = "", klass = "", type = ""] = line.replace(/^;/, "").split(/\s+/);
      r.question.push({ name, class: klass, type });
    } else if (section && !line.startsWith(";")) {
      // dig separates the fields with tabs, or a space when the name fills its column.
      const m = /^(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line);
      if (m) r[section].push({ name: m[1]!, ttl: Number(m[2]), class: m[3]!, type: m[4]!, data: m[5]!.replace(/\t/g, " ") });
    }
  }
  return r;
}

/** A record in dig's format, owner lowercased: how records are compared (RFC 4343: names are case-insensitive). */
export function showRecord(rr: DigRecord): string {
  return `${rr.name.toLowerCase()} ${rr.ttl} ${rr.class} ${rr.type} ${rr.data}`;
}

/** Hints from what dig said when it got no good reply. */
function digProblemHint(r: DigResult): string | undefined {
  const p = r.output;
  if (/ID mismatch/.test(p)) return "dig ignores replies whose ID differs from its query's: copy the 16-bit ID from the first two bytes of the query into the reply (RFC 1035 §4.1.1).";
  if (/query response not set/.test(p)) return "Set the QR bit (the top bit of byte 2) in every reply: it is what makes a message a response.";
  if (/Question section mismatch/i.test(p)) return "Copy the question (name, type, class) from the query into the reply's question section.";
  if (/connection refused/i.test(p)) return "Nothing accepted the connection: listen on TCP too, on the same port as UDP.";
  if (/timed out|no servers could be reached/.test(p)) return "dig waited and got no reply: does your program answer every query, and send the reply back to the address and port the query came from?";
  if (/bad packet|FORMERR|unexpected end|extra input|malformed/i.test(p)) return "dig could not parse your reply: check the header counts match the records you wrote, and each record's RDLENGTH.";
  return undefined;
}

/** dig bound to one program. */
export class Dig {
  constructor(
    private readonly t: CaseContext,
    private readonly program: Program,
  ) {}

  argv(name: string, type: string, o: DigOptions = {}): string[] {
    const argv = ["dig", `@${this.program.host}`, "-p", String(this.program.port), name, type, "+time=2", "+tries=1"];
    if (o.tcp) argv.push("+tcp");
    if (o.norec) argv.push("+norec");
    if (o.noedns) argv.push("+noedns");
    if (o.bufsize !== undefined) argv.push(`+bufsize=${o.bufsize}`);
    if (o.ednsVersion !== undefined) argv.push(`+edns=${o.ednsVersion}`, "+noednsneg");
    if (o.ignoreTc) argv.push("+ignore");
    return argv;
  }

  /** Runs dig once (bounded) and parses what it printed; does not check it got a reply. */
  async run(name: string, type: string, o: DigOptions = {}): Promise<DigResult> {
    const argv = this.argv(name, type, o);
    const res = await this.t.client(DNSUTILS, argv, { timeoutMs: 6000 });
    return parseDig(argv.join(" "), res.output);
  }

  /** Runs dig and fails unless it got a reply it could parse. */
  async query(name: string, type: string, o: DigOptions = {}, e: { hint?: string } = {}): Promise<DigResult> {
    const r = await this.run(name, type, o);
    if (!r.ok) {
      throw new StageFailure({
        message: `dig got no usable reply to ${name} ${type}${o.tcp ? " over TCP" : ""}${r.problem ? `: ${r.problem}` : "."}`,
        hint: digProblemHint(r) ?? e.hint,
      });
    }
    return r;
  }
}

export function dig(t: CaseContext, program: Program): Dig {
  return new Dig(t, program);
}

export interface Check {
  /** What the reply was for, in one sentence (the failure's first line). */
  message?: string;
  hint?: string;
}

function what(r: DigResult): string {
  const q = r.question[0];
  return q ? `${q.name} ${q.type}` : r.command;
}

/** Fails unless the reply's status (RCODE) is `status`. */
export function expectStatus(r: DigResult, status: string, c: Check = {}): void {
  if (r.status !== status) throw new StageFailure({ message: c.message ?? `Wrong status (RCODE) in the reply to ${what(r)}.`, expected: `status: ${status}`, received: `status: ${r.status}`, hint: c.hint });
}

/** Fails unless the header flag (qr, aa, tc, rd, ra) is set, or clear when `set` is false. */
export function expectFlag(r: DigResult, flag: string, set: boolean, c: Check = {}): void {
  if (r.flags.has(flag) === set) return;
  const shown = (s: Set<string>) => `flags: ${[...s].join(" ")}`;
  const want = new Set(r.flags);
  if (set) want.add(flag);
  else want.delete(flag);
  throw new StageFailure({ message: c.message ?? `The ${flag.toUpperCase()} bit should be ${set ? "set" : "clear"} in the reply to ${what(r)}.`, expected: shown(want), received: shown(r.flags), hint: c.hint });
}

/** Fails unless the section holds exactly these records (in any order, owner names compared case-insensitively). */
export function expectSection(r: DigResult, section: Section, expected: readonly string[], c: Check = {}): void {
  const got = r[section].map(showRecord).sort();
  const want = [...expected].map((l) => l.replace(/^\S+/, (n) => n.toLowerCase())).sort();
  if (got.join("\n") === want.join("\n")) return;
  throw new StageFailure({
    message: c.message ?? `Wrong ${section.toUpperCase()} section in the reply to ${what(r)}.`,
    expected: want.join("\n") || "(no records)",
    received: got.join("\n") || "(no records)",
    hint: c.hint,
  });
}

/** Fails unless the section holds at least these records (others may be there too). */
export function expectSectionIncludes(r: DigResult, section: Section, expected: readonly string[], c: Check = {}): void {
  const got = r[section].map(showRecord);
  const missing = expected.filter((l) => !got.includes(l.replace(/^\S+/, (n) => n.toLowerCase())));
  if (missing.length === 0) return;
  throw new StageFailure({
    message: c.message ?? `The ${section.toUpperCase()} section of the reply to ${what(r)} lacks records it needs.`,
    expected: [...got, ...missing].sort().join("\n"),
    received: got.sort().join("\n") || "(no records)",
    hint: c.hint,
  });
}

/** The shell line that sends `bytes` over UDP with nc and shows the reply in hex. */
function ncUdpLine(program: Program, bytes: Uint8Array): string {
  const escaped = [...bytes].map((b) => `\\x${b.toString(16).padStart(2, "0")}`).join("");
  return `printf '${escaped}' | nc -u -w1 ${program.host} ${program.port} | xxd`;
}

export interface RawReply {
  bytes: Uint8Array;
  header: WireHeader;
}

/**
 * Sends one datagram and waits (bounded) for one reply. Returns undefined
 * when none came. The transcript shows an nc line that sends the same bytes.
 */
export async function udpExchange(t: CaseContext, program: Program, query: Uint8Array, o: { timeoutMs?: number; note?: string } = {}): Promise<RawReply | undefined> {
  t.log.command(`${ncUdpLine(program, query)}${o.note ? `    # ${o.note}` : ""}`);
  t.log.output(`> ${visible(query)}`);
  let got: Uint8Array | undefined;
  let wake: () => void = () => {};
  const socket = await Bun.udpSocket({
    hostname: "127.0.0.1",
    socket: {
      data(_s, data) {
        got ??= Uint8Array.from(data);
        wake();
      },
    },
  });
  try {
    socket.send(query, program.port, program.host);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, o.timeoutMs ?? 2000);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  } finally {
    socket.close();
  }
  if (!got) {
    t.log.output("(no reply)");
    return undefined;
  }
  t.log.output(`< ${visible(got)}`);
  const header = readWireHeader(got);
  if (!header) throw new StageFailure({ message: `The reply is ${got.length} bytes long: a DNS message starts with a 12-byte header (RFC 1035 §4.1.1).`, detail: `received: ${visible(got)}` });
  t.log.output(`  (${showHeader(header)})`);
  return { bytes: got, header };
}

/** Like udpExchange, but a missing reply fails the case with `e`. */
export async function udpExpectReply(t: CaseContext, program: Program, query: Uint8Array, e: { message: string; hint: string; note?: string }): Promise<RawReply> {
  const reply = await udpExchange(t, program, query, { note: e.note });
  if (!reply) throw new StageFailure({ message: e.message, hint: e.hint });
  return reply;
}

/** A TCP connection that speaks length-prefixed DNS messages (RFC 1035 §4.2.2). */
export class DnsTcp {
  private constructor(readonly conn: TcpConnection) {}

  static async open(t: CaseContext, program: Program, name = "connection"): Promise<DnsTcp> {
    const conn = await TcpConnection.open({ host: program.host, port: program.port, log: t.log, name });
    t.defer(() => conn.close());
    return new DnsTcp(conn);
  }

  /** Sends messages, each with its 2-byte length, in the pieces given (split points are byte offsets into the framed bytes). */
  async send(messages: Uint8Array[], splitAt: number[] = []): Promise<void> {
    const all = Buffer.concat(messages.map(framed));
    const cuts = [0, ...splitAt, all.length];
    const pieces = cuts.slice(1).map((end, i) => all.subarray(cuts[i]!, end));
    await this.conn.send(pieces.length === 1 ? pieces[0]! : pieces, 100);
  }

  /** Reads one length-prefixed reply (bounded); fails with what arrived otherwise. */
  async reply(e: { message: string; hint: string }, timeoutMs = 2000): Promise<RawReply> {
    const complete = (b: Buffer) => b.length >= 2 && b.length >= 2 + b.readUInt16BE(0);
    const ok = await this.conn.waitFor(complete, timeoutMs);
    if (!ok) {
      const state = this.conn.closed ? "your program closed the connection" : `nothing complete arrived within ${timeoutMs / 1000} s`;
      throw new StageFailure({ message: `${e.message} (${state})`, detail: this.conn.pending.length > 0 ? `received so far: ${visible(this.conn.pending)}` : "received nothing", hint: e.hint });
    }
    const length = this.conn.pending.readUInt16BE(0);
    const bytes = this.conn.take(2 + length).subarray(2);
    const header = readWireHeader(bytes);
    if (!header) throw new StageFailure({ message: `${e.message}: the reply is ${bytes.length} bytes, shorter than a DNS header.`, hint: "Over TCP, each message is preceded by its length in two bytes (big-endian), not counting those two bytes." });
    return { bytes, header };
  }
}

/** What came back from a burst of datagrams: the replies, in arrival order. */
export interface Burst {
  sent: number;
  replies: Uint8Array[];
}

/**
 * One UDP socket that sends bursts of datagrams to a program and keeps every
 * reply, for tests that send many datagrams and then look at what came back.
 * The transcript shows the first few datagrams of each burst, not all.
 */
export class UdpBurster {
  /** Every reply so far, in arrival order. */
  readonly replies: Uint8Array[] = [];
  private arrived: () => void = () => {};

  private constructor(
    private readonly t: CaseContext,
    private readonly program: Program,
    private readonly socket: DgramSocket,
  ) {}

  static async open(t: CaseContext, program: Program): Promise<UdpBurster> {
    // A large receive buffer, so that replies are not dropped on this side while the test process is busy sending.
    const socket = createSocket({ type: "udp4", recvBufferSize: 4 * 1024 * 1024 });
    const self = new UdpBurster(t, program, socket);
    socket.on("message", (data) => {
      self.replies.push(Uint8Array.from(data));
      self.arrived();
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", () => {
        socket.off("error", reject);
        resolve();
      });
    });
    t.defer(() => socket.close());
    return self;
  }

  /**
   * Sends the datagrams, pausing briefly every 10 so the program's receive
   * buffer is not simply overrun. Fails at once if the program stopped
   * listening (the kernel reports port unreachable).
   */
  async send(packets: Uint8Array[], o: { what: string; hint?: string }): Promise<void> {
    const { t, program } = this;
    t.log.note(`sending ${packets.length} ${o.what} to ${program.host}:${program.port} over UDP; the first three:`);
    for (const p of packets.slice(0, 3)) t.log.output(`> ${visible(p)}`);
    for (const [i, p] of packets.entries()) {
      if (t.signal.aborted) break;
      try {
        await new Promise<void>((resolve, reject) => this.socket.send(p, program.port, program.host, (e) => (e ? reject(e) : resolve())));
      } catch (e) {
        t.log.output(`(sending datagram ${i + 1} failed: ${(e as Error).message})`);
        const exited = program.process.exitCode;
        throw new StageFailure({
          message: `${exited !== null ? `Your program exited (code ${exited})` : "Your program stopped listening on its UDP port"} while receiving ${o.what}: datagram ${i + 1} of ${packets.length} could not be delivered.`,
          detail: `the last datagrams sent:\n${packets.slice(Math.max(0, i - 3), i).map((x) => `> ${visible(x)}`).join("\n")}`,
          hint: o.hint,
        });
      }
      if (i % 10 === 9) await Bun.sleep(1);
    }
  }

  /**
   * Waits until `done()` holds, or no reply has arrived for `quietMs`, or
   * `maxMs` have passed: replies still coming in are waited for, however
   * slow a loaded machine makes them, within the bound.
   */
  async settle(o: { quietMs: number; maxMs: number; done?: () => boolean }): Promise<void> {
    const end = Date.now() + o.maxMs;
    for (;;) {
      if (o.done?.() || this.t.signal.aborted) return;
      const left = end - Date.now();
      if (left <= 0) return;
      const before = this.replies.length;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(o.quietMs, left));
        this.arrived = () => {
          if (o.done?.()) {
            clearTimeout(timer);
            resolve();
          }
        };
      });
      this.arrived = () => {};
      if (this.replies.length === before) return;
    }
  }
}

/** Sends many datagrams from one socket (see UdpBurster.send), then collects replies for `collectMs`. */
export async function udpBurst(t: CaseContext, program: Program, packets: Uint8Array[], o: { collectMs?: number; what: string; hint?: string }): Promise<Burst> {
  const burster = await UdpBurster.open(t, program);
  await burster.send(packets, o);
  await Bun.sleep(o.collectMs ?? 500);
  t.log.output(`(${burster.replies.length} replies)`);
  return { sent: packets.length, replies: [...burster.replies] };
}
