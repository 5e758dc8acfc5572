/**
 * What the sniffer stages share: a wire (two namespaces joined by a veth
 * pair), the program under test capturing on one end, crafted frames put on
 * the other, and tcpdump's own reading of the same frames (`tcpdump -r` of a
 * pcap file of them) as the expected lines.
 */
import { join } from "node:path";
import { startProgramIn, useNetwork, type NetnsProcess } from "../../harness/netns/case.ts";
import { procNet } from "../../harness/netns/inside.ts";
import { arp, ethernet, ETHERTYPE, icmpEcho, ipv4, IPPROTO, tcp, udp } from "../../harness/netns/frames.ts";
import { pcapFile, type TimedFrame } from "../../harness/netns/pcap.ts";
import { ifindexIn, sendFrames } from "../../harness/netns/send.ts";
import { twoHosts, type Interface, type Node } from "../../harness/netns/topology.ts";
import { groupMembers } from "../../harness/process/reaper.ts";
import type { Random } from "../../harness/random.ts";
import type { CaseContext } from "../../harness/stage/context.ts";

export interface Host {
  ns: string;
  iface: Interface;
}

/** Two hosts on a veth pair: the program captures on `a` (veth-a); frames come from `b`. */
export interface Wire {
  a: Host;
  b: Host;
}

const host = (n: Node): Host => ({ ns: n.ns, iface: n.ifaces[0]! });

export function wire(t: CaseContext): Wire {
  const topo = useNetwork(t, twoHosts);
  return { a: host(topo.node("a")), b: host(topo.node("b")) };
}

/** A random locally administered unicast MAC (no host on the wire has it). */
export function randomMac(rand: Random): string {
  const bytes = [0x02, ...Array.from({ length: 5 }, () => rand.int(0, 255))];
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}

/** A TCP connection's endpoints: the client in 198.19/16, the server in 198.18/16 (so the client's text sorts after the server's), and their MACs. */
export interface Ends {
  client: string;
  server: string;
  cport: number;
  sport: number;
  macs: [string, string];
}

export function ends(rand: Random): Ends {
  return { client: `198.19.${rand.int(0, 255)}.${rand.int(1, 254)}`, server: `198.18.${rand.int(0, 255)}.${rand.int(1, 254)}`, cport: rand.int(33000, 60000), sport: rand.pick([80, 443, 8080, rand.int(1024, 32000)]), macs: [randomMac(rand), randomMac(rand)] };
}

/** A random address in 198.18.0.0/15 (for benchmarking, never routed). */
export function randomIp(rand: Random): string {
  return `198.${rand.int(18, 19)}.${rand.int(0, 255)}.${rand.int(1, 254)}`;
}

const TIME = /^(\d\d):(\d\d):(\d\d)\.(\d{6}) /;

export interface PacketLine {
  /** The whole line as printed. */
  raw: string;
  /** Without the timestamp. */
  text: string;
  /** Seconds since local midnight, or undefined when the line does not start with HH:MM:SS.uuuuuu. */
  time?: number;
}

/** The packet lines of some output: every line except continuation lines (starting with white space) and empty ones. */
export function packetLines(stdout: string): PacketLine[] {
  return stdout
    .split("\n")
    .filter((l) => l !== "" && !/^\s/.test(l))
    .map((raw) => {
      const m = TIME.exec(raw);
      return m ? { raw, text: raw.slice(m[0].length), time: Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 1e6 } : { raw, text: raw };
    });
}

export interface ClosingCounts {
  captured: number;
  received: number;
  dropped: number;
}

/** tcpdump's three closing lines, read from the program's output (stderr is where they go). */
export function closingCounts(output: string): Partial<ClosingCounts> {
  const n = (what: string) => {
    const m = new RegExp(`^(\\d+) packets? ${what}$`, "m").exec(output);
    return m ? Number(m[1]) : undefined;
  };
  return { captured: n("captured"), received: n("received by filter"), dropped: n("dropped by kernel") };
}

/** The program under test capturing on an interface inside a namespace. */
export class Capture {
  constructor(
    private readonly t: CaseContext,
    readonly proc: NetnsProcess,
    readonly iface: string,
  ) {}

  get stdout(): string {
    return this.proc.process.stdout.text();
  }

  get output(): string {
    return this.proc.process.output.text();
  }

  /** The program's last lines, for a failure report. */
  tail(): string {
    const out = this.proc.process.output.tail(20);
    return `Your program's output (last lines):\n${out === "" ? "  (nothing)" : out.replace(/^/gm, "  | ")}`;
  }

  /** Waits (bounded) until the program exits; fails, saying what was expected of it, if it does not. */
  async exited(ms: number, what: string, hint: string): Promise<number> {
    const code = await this.proc.process.waitExit(ms);
    if (code === null) this.t.fail({ message: `Your program did not exit ${what} (waited ${ms / 1000} s).`, hint, detail: this.tail() });
    return code;
  }

  /** Waits (bounded) until the program has printed `n` packet lines. */
  async printed(n: number, ms: number, hint: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (packetLines(this.stdout).length < n) {
      if (this.proc.process.exitCode !== null) this.t.fail({ message: `Your program exited (code ${this.proc.process.exitCode}) after printing ${packetLines(this.stdout).length} of the ${n} packet lines expected.`, hint, detail: this.tail() });
      if (Date.now() > deadline) this.t.fail({ message: `Your program printed ${packetLines(this.stdout).length} packet lines within ${ms / 1000} s of the frames being sent; expected ${n}.`, hint, detail: this.tail() });
      await Bun.sleep(10);
    }
  }

  /**
   * Sends a signal to the program, as Ctrl-C in a terminal would: to every
   * process of its group but the shell that started it (which would die of
   * SIGINT itself), or to the group's only process.
   */
  signal(sig: NodeJS.Signals): void {
    const leader = this.proc.process.pid;
    const others = groupMembers(leader).filter((p) => p !== leader);
    this.t.log.command(`kill -${sig.replace(/^SIG/, "")} ${others.length > 0 ? others.join(" ") : leader}    # your program`);
    for (const pid of others.length > 0 ? others : [leader]) {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  }
}

/** The packet sockets bound in a namespace: [protocol, ifindex] from /proc/net/packet. */
function packetSockets(ns: string): [number, number][] {
  return procNet(ns, "packet")
    .split("\n")
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => {
      const cols = l.trim().split(/\s+/);
      return [parseInt(cols[3]!, 16), Number(cols[4])];
    });
}

/**
 * Starts the program with `-i <iface> …flags` inside `host`'s namespace and
 * waits (bounded) until it captures: a packet socket there is bound to a
 * protocol (read from the namespace's /proc/net/packet), and it has said so
 * with tcpdump's "listening on …" line, or 2 s have passed since the bind
 * (with `listening`, the line is required: 3 s). tcpdump binds its socket
 * before it sets up its ring; frames sent in between never reach the ring,
 * and on a loaded machine that gap is long enough to lose a frame.
 */
export async function startCapture(t: CaseContext, ns: string, iface: string, flags: string[], opts: { listening?: boolean; env?: Record<string, string> } = {}): Promise<Capture> {
  const ifindex = ifindexIn(ns, iface);
  const bound = () => packetSockets(ns).filter(([proto, index]) => proto !== 0 && (index === ifindex || index === 0)).length;
  const before = bound();
  const proc = startProgramIn(t, ns, ["-i", iface, ...flags], opts.env);
  const capture = new Capture(t, proc, iface);
  let deadline = Date.now() + 5000;
  let boundAt: number | undefined;
  for (;;) {
    // With a filter, "listening on …" on stderr says it is attached (tcpdump prints it after SO_ATTACH_FILTER):
    // once the socket is bound, it gets 3 s more.
    if (bound() > before) {
      if (/^listening on /m.test(capture.output)) return capture;
      boundAt ??= Date.now();
      if (!opts.listening && Date.now() > boundAt + 2000) return capture;
      if (Date.now() > boundAt + 3000) deadline = 0;
    }
    const code = proc.process.exitCode;
    if (code !== null) {
      t.fail({
        message: `Your program exited with code ${code} before capturing on ${iface}.`,
        hint: code === 127 ? "Exit code 127: the shell could not find the command you gave with --impl." : "It runs as root inside a network namespace: open a packet socket (socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))) and bind it to the interface named by -i.",
        detail: capture.tail(),
      });
    }
    if (Date.now() > deadline || t.signal.aborted) {
      if (opts.listening && bound() > before) t.fail({ message: `Your program did not print "listening on ${iface}, …" on stderr within 3 s of binding its packet socket.`, hint: 'Once the filter is attached to the bound socket, print "listening on <iface>, link-type EN10MB (Ethernet), snapshot length 262144 bytes" to stderr: the tests wait for it before sending frames.', detail: capture.tail() });
      t.fail({
        message: `Your program did not open a packet socket bound to ${iface} within 5 s of starting.`,
        hint: "Bind a packet socket to the interface named by -i (sockaddr_ll with sll_protocol = htons(ETH_P_ALL) and sll_ifindex = if_nametoindex(iface)); the tests wait for it in /proc/net/packet before sending any frame.",
        detail: capture.tail(),
      });
    }
    await Bun.sleep(10);
  }
}

/** The frames a case put on a wire, with when they were sent. */
export class Sent {
  readonly frames: TimedFrame[] = [];
  /** For each frame, the wall-clock times (ms) just before and just after it was sent. */
  readonly windows: [number, number][] = [];

  /** Sends frames out of `iface` in `ns`, in order (`gapMs` apart), and remembers them. */
  async send(t: CaseContext, ns: string, iface: string, frames: Uint8Array[], what: string, gapMs = 0): Promise<void> {
    t.log.note(`${what}: ${frames.length} crafted frame${frames.length === 1 ? "" : "s"} sent out of ${iface} in ${ns}`);
    for (const [i, frame] of frames.entries()) {
      if (i > 0 && gapMs > 0) await Bun.sleep(gapMs);
      const before = Date.now();
      sendFrames(ns, iface, [frame]);
      const after = Date.now();
      this.frames.push({ timeUs: after * 1000, frame });
      this.windows.push([before, after]);
    }
  }

  /**
   * What tcpdump prints for these frames: `tcpdump -r sent.pcap <flags>` on a
   * pcap file of them, packet lines without their timestamps.
   */
  async tcpdumpLines(t: CaseContext, flags: string[], frames: TimedFrame[] = this.frames): Promise<string[]> {
    const file = join(t.dir, "sent.pcap");
    await Bun.write(file, pcapFile(frames));
    const r = await t.client("tcpdump", ["tcpdump", "-r", file, ...flags], { quietStderr: true });
    if (r.code !== 0) throw new Error(`tcpdump -r ${file} failed (exit ${r.code}): ${r.output}`);
    return packetLines(r.stdout).map((l) => l.text);
  }
}

/** Fails unless the program printed exactly these lines (timestamps removed), in order. */
export function expectLines(t: CaseContext, capture: Capture, expected: string[], message: string, hint: string): void {
  const got = packetLines(capture.stdout).map((l) => l.text);
  if (got.join("\n") === expected.join("\n")) return;
  t.fail({ message, expected: expected.join("\n"), received: got.join("\n"), hint, detail: capture.tail() });
}

export interface Scenario {
  /** Options after `-i <iface>` (the test adds `-c <number of frames>`). */
  flags: string[];
  /** The frames whose lines are expected, in order. */
  frames: Uint8Array[];
  /** What they are, for the transcript. */
  what: string;
  /** Capture on a's loopback (frames sent there too) instead of its veth end (frames sent from b). */
  loopback?: boolean;
  /** Frames sent first on a's loopback while the program captures on veth-a: none of them may show. */
  elsewhere?: Uint8Array[];
  /** Compare every line, the indented ones of -x/-X dumps too (timestamps removed), not only the packet lines. */
  allLines?: boolean;
}

/**
 * Captures a scenario's frames with `-c <count>` and fails unless the program
 * printed exactly the lines tcpdump prints for them (timestamps aside).
 */
export async function expectTcpdumpLines(t: CaseContext, s: Scenario, message: string, hint: string): Promise<void> {
  const w = wire(t);
  const iface = s.loopback ? "lo" : w.a.iface.name;
  const capture = await startCapture(t, w.a.ns, iface, [...s.flags, "-c", String(s.frames.length)]);
  if (s.elsewhere) await new Sent().send(t, w.a.ns, "lo", s.elsewhere, "on another interface of the same host (lo), not to be captured");
  const sent = new Sent();
  // On lo, a little time between frames lets the kernel deliver each frame's received copy before the next is sent.
  if (s.loopback) await sent.send(t, w.a.ns, "lo", s.frames, s.what, 20);
  else await sent.send(t, w.b.ns, w.b.iface.name, s.frames, s.what);
  await capture.exited(5000, `after -c ${s.frames.length} (the number of frames sent)`, "Print one line per frame captured on the interface named by -i, and exit after -c <count> lines.");
  t.log.note("what tcpdump prints for the frames that were sent:");
  if (s.allLines) {
    const file = join(t.dir, "sent.pcap");
    await Bun.write(file, pcapFile(sent.frames));
    const want = (await tcpdumpRead(t, file, s.flags)).text.trimEnd();
    const got = withoutTimestamps(capture.stdout).trimEnd();
    if (got !== want) t.fail({ message, expected: want, received: got, hint, detail: capture.tail() });
    return;
  }
  const expected = await sent.tcpdumpLines(t, s.flags);
  expectLines(t, capture, expected, message, hint);
}

/** `n` frames of the kinds the earlier stages print: ARP requests, ICMP echo requests, UDP datagrams, TCP SYNs, in turn. */
export function mixedFrames(rand: Random, n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => {
    const [smac, dmac, src, dst] = [randomMac(rand), randomMac(rand), randomIp(rand), randomIp(rand)];
    const [sport, dport] = [rand.int(33000, 48000), rand.int(50000, 60000)];
    const ip = (protocol: number, payload: Uint8Array) => ethernet(dmac, smac, ETHERTYPE.ipv4, ipv4({ src, dst, protocol, payload }));
    switch (i % 4) {
      case 0:
        return ethernet("ff:ff:ff:ff:ff:ff", smac, ETHERTYPE.arp, arp({ op: "request", senderMac: smac, senderIp: src, targetMac: "00:00:00:00:00:00", targetIp: dst }));
      case 1:
        return ip(IPPROTO.icmp, icmpEcho("request", rand.int(0, 65535), rand.int(0, 65535), rand.bytes(rand.int(0, 100))));
      case 2:
        return ip(IPPROTO.udp, udp(src, dst, sport, dport, rand.bytes(rand.int(0, 300))));
      default:
        return ip(IPPROTO.tcp, tcp({ src, dst, srcPort: sport, dstPort: dport, seq: rand.int(0, 2 ** 31), flags: ["syn"], options: [{ kind: "mss", value: 1460 }] }));
    }
  });
}

/** `tcpdump -r <file> …flags`: its exit code, every stdout line with a leading timestamp removed, and its stderr. */
export async function tcpdumpRead(t: CaseContext, file: string, flags: string[]): Promise<{ code: number; text: string; output: string }> {
  const r = await t.client("tcpdump", ["tcpdump", "-r", file, ...flags]);
  return { code: r.code, text: withoutTimestamps(r.stdout), output: r.output };
}

/** Output with the HH:MM:SS.uuuuuu at the start of each line removed. */
export function withoutTimestamps(text: string): string {
  return text.replace(/^\d\d:\d\d:\d\d\.\d{6} /gm, "");
}

/**
 * Runs the program with `-r <file> -n …flags` on a file the test wrote and
 * compares every line, timestamps included (they come from the file), with
 * what tcpdump prints for the same file and flags. `env` (e.g. TZ) is given
 * to both.
 */
export async function expectReadLikeTcpdump(t: CaseContext, file: string, what: string, hint: string, flags: string[] = [], env?: Record<string, string>): Promise<void> {
  if (env) t.log.note(`both commands below run with ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(" ")} in their environment`);
  const r = await t.run(["-r", file, "-n", ...flags], { env });
  const expected = await t.client("tcpdump", ["tcpdump", "-r", file, "-n", ...flags], { quietStderr: true, env });
  const got = r.stdout.trimEnd();
  const want = expected.stdout.trimEnd();
  if (r.code !== 0 || got !== want) {
    t.fail({ message: `Your program's lines for ${what} differ from tcpdump's (timestamps included: they come from the file).`, expected: want, received: r.code !== 0 ? `exit status ${r.code}: ${r.output.trim()}` : got, hint });
  }
}
