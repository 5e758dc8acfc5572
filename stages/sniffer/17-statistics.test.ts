import { join } from "node:path";
import { ethernet, ETHERTYPE, ipv4, IPPROTO, tcp, udp } from "../../harness/netns/frames.ts";
import { pcapFile, type TimedFrame } from "../../harness/netns/pcap.ts";
import type { Random } from "../../harness/random.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import { ends, randomMac, type Ends } from "./sniff.ts";

const CONV_RULES =
  'With -r <file> -q -z conv,tcp, print what tshark 4.0 prints: a rule of 80 "=", "TCP Conversations", "Filter:<No Filter>", the two header lines, then one row per TCP conversation ("%-26s <-> %-26s" for address A:port and B:port, then for "<-" (B to A), "->" (A to B) and both: "  %6d %-9s" of frames and bytes, then "  %14.9f   %12.4f" of the relative start and the duration), then the rule again.';
const IO_RULES =
  "With -r <file> -q -z io,stat,<interval>, print what tshark 4.0 prints: a table of the frames and bytes of every frame in each interval since the first frame, its column widths following the values (see the stage's instructions for the layout).";

/** The first frame's time: now, with a random microsecond part (so that intervals counted from the clock's whole seconds differ from intervals counted from the first frame). */
const startUs = (rand: Random) => (Math.floor(Date.now() / 1000) - 3600) * 1e6 + rand.int(100_000, 899_999);

/** A TCP segment from the client (c) or the server (s) with `length` bytes of payload. */
function segment(rand: Random, e: Ends, from: "c" | "s", length: number): Buffer {
  const [src, dst, srcPort, dstPort, smac, dmac] = from === "c" ? [e.client, e.server, e.cport, e.sport, e.macs[0], e.macs[1]] : [e.server, e.client, e.sport, e.cport, e.macs[1], e.macs[0]];
  return ethernet(dmac, smac, ETHERTYPE.ipv4, ipv4({ src, dst, protocol: IPPROTO.tcp, payload: tcp({ src, dst, srcPort, dstPort, seq: rand.int(0, 2 ** 32 - 1), ack: rand.int(0, 2 ** 32 - 1), flags: ["ack", "psh"], payload: new Uint8Array(length) }) }));
}

/** A UDP datagram between two other hosts (not TCP: no conversation, but a frame io,stat counts). */
function datagram(rand: Random, length: number): Buffer {
  const [src, dst] = [`198.18.250.${rand.int(1, 254)}`, `198.18.251.${rand.int(1, 254)}`];
  return ethernet(randomMac(rand), randomMac(rand), ETHERTYPE.ipv4, ipv4({ src, dst, protocol: IPPROTO.udp, payload: udp(src, dst, rand.int(1024, 65535), rand.int(1024, 65535), new Uint8Array(length)) }));
}

interface Run {
  want: string;
  got: string;
  code: number | null;
  fail: (message: string, hint: string) => never;
}

/** Writes the frames to a pcap file, runs tshark -r <file> -q -z <z> and the program with the same options; undefined when the outputs are the same to the byte. */
async function compare(t: CaseContext, frames: TimedFrame[], z: string, what: string, rules: string): Promise<Run | undefined> {
  const file = join(t.dir, "capture.pcap");
  await Bun.write(file, pcapFile(frames));
  t.log.note(`${frames.length} crafted frames (${what}) in ${file}`);
  const want = (await t.client("tshark", ["tshark", "-r", file, "-q", "-z", z], { quietStderr: true })).stdout;
  const r = await t.run(["-r", file, "-q", "-z", z], { timeoutMs: 10_000, quietStderr: true });
  if (r.code === 0 && r.stdout === want) return undefined;
  const fail = (message: string, hint: string): never => t.fail({ message, expected: want.trimEnd(), received: r.code === 0 ? r.stdout.trimEnd() : `exit status ${r.code}: ${r.output.trim()}`, hint: `${hint} ${rules}` });
  if (r.code !== 0) fail(`Your program with -r ${file} -q -z ${z} exited with ${r.code === null ? "no exit within 10 s" : `code ${r.code}`}.`, "Read the file, print the table and exit 0.");
  const first = want.split("\n").find((l) => l !== "") ?? "";
  const before = r.stdout.slice(0, Math.max(0, r.stdout.indexOf(first))).trim();
  if (before !== "" && first !== "") fail(`Your program printed lines before the table (${JSON.stringify(before.split("\n")[0])}): with -q -z, print only the statistics.`, "No packet lines with -q -z.");
  return { want, got: r.stdout, code: r.code, fail };
}

interface ConvRow {
  a: string;
  b: string;
  /** Frames and byte texts: B to A, A to B, both. */
  frames: [number, number, number];
  bytes: [string, string, string];
  start: string;
  duration: string;
}

const CONV_ROW = /^(\S+)\s+<-> (\S+)\s+(\d+) (\d+ (?:bytes|[kMGT]B))\s+(\d+) (\d+ (?:bytes|[kMGT]B))\s+(\d+) (\d+ (?:bytes|[kMGT]B))\s+([\d.]+)\s+([\d.]+)$/;

function convRows(out: string): ConvRow[] {
  return out.split("\n").flatMap((line) => {
    const m = CONV_ROW.exec(line);
    return m ? [{ a: m[1]!, b: m[2]!, frames: [Number(m[3]), Number(m[5]), Number(m[7])], bytes: [m[4]!, m[6]!, m[8]!], start: m[9]!, duration: m[10]! } satisfies ConvRow] : [];
  });
}

/** A byte count as a number of bytes, if it is written as one ("1234 bytes"); kB and the like as a lower bound. */
const byteValue = (text: string): number => {
  const [n, unit] = text.split(" ") as [string, string];
  return Number(n) * ({ bytes: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 }[unit] ?? 1);
};

/** Runs -z conv,tcp on the frames and fails, naming what differs, unless the output is tshark's to the byte. */
async function expectConv(t: CaseContext, frames: TimedFrame[], what: string): Promise<void> {
  const run = await compare(t, frames, "conv,tcp", what, CONV_RULES);
  if (!run) return;
  const { fail } = run;
  const [want, got] = [convRows(run.want), convRows(run.got)];
  const headOf = (out: string) => out.split("\n").filter((l) => !CONV_ROW.test(l)).join("\n");
  if (headOf(run.got) !== headOf(run.want)) fail("Your lines around the conversations differ from tshark's (the rules, the title, the filter line or the two header lines).", "");
  const pair = (r: ConvRow) => [r.a, r.b].sort().join(" ");
  const wantPairs = want.map(pair).sort().join(",");
  if (got.map(pair).sort().join(",") !== wantPairs) {
    fail(`Your conversations (${got.length} rows) are not tshark's (${want.length}): not the same pairs of address:port ends.`, "A TCP conversation is every TCP frame between one pair of address:port ends, in both directions: one row each, whichever end sent the frame.");
  }
  for (const w of want) {
    const g = got.find((r) => pair(r) === pair(w))!;
    const name = `${w.a} <-> ${w.b}`;
    if (g.a !== w.a) fail(`Your row for the conversation ${name} puts its ends the other way round (${g.a} <-> ${g.b}).`, "Address A (the left one) is the source of the conversation's first frame, whichever address sorts first.");
    if (g.frames.join() !== w.frames.join()) {
      if (g.frames[0] === w.frames[1] && g.frames[1] === w.frames[0]) fail(`Your "<-" and "->" frame counts for ${name} are the other way round.`, '"->" counts the frames A sent to B; "<-" those B sent to A.');
      if (g.frames[2] === w.frames[2]) fail(`Your frame counts for ${name} split its ${w.frames[2]} frames between the directions differently from tshark.`, '"->" counts the frames A sent to B; "<-" those B sent to A: each direction separately.');
      fail(`Your frame counts for ${name} differ from tshark's.`, "Count every TCP frame of the conversation, in the direction it went.");
    }
    if (g.bytes.join() !== w.bytes.join()) {
      const sameValue = g.bytes.every((b, i) => Math.abs(byteValue(b) - byteValue(w.bytes[i]!)) < (w.bytes[i]!.endsWith("bytes") && b.endsWith("bytes") ? 1 : 1000));
      if (sameValue) fail(`Your byte counts for ${name} are written differently from tshark's (${g.bytes.join(", ")} where tshark writes ${w.bytes.join(", ")}).`, 'Bytes as Wireshark\'s format_size writes them: "<n> bytes" below 10,000; from 10,000 on, whole kilobytes of 1000 bytes, rounded down ("10 kB" for 10,999), then MB, GB, TB likewise.');
      fail(`Your byte counts for ${name} differ from tshark's.`, "A frame's bytes are its length on the wire (the pcap record's original length), Ethernet header included.");
    }
    if (g.start !== w.start) fail(`Your relative start for ${name} is ${g.start}; tshark's is ${w.start}.`, 'The "Relative Start" is the time of the conversation\'s first frame since the first frame of the file, whatever that frame carries (not the first TCP frame), "%14.9f" of seconds.');
    if (g.duration !== w.duration) fail(`Your duration for ${name} is ${g.duration}; tshark's is ${w.duration}.`, 'The duration is from the conversation\'s own first frame to its last, "%12.4f" of seconds.');
  }
  if (got.map(pair).join(",") !== want.map(pair).join(",")) {
    const total = (r: ConvRow) => r.frames[2];
    const sorted = got.every((r, i) => i === 0 || total(got[i - 1]!) >= total(r));
    if (!sorted) fail("Your conversations are not in tshark's order.", "Rows in order of total frames, most first.");
    fail("Your conversations with the same number of frames are not in tshark's order.", "Rows in order of total frames, most first; conversations with the same total in the order of their first frames.");
  }
  fail("Your conversation table differs from tshark's (spacing or widths).", "");
}

interface IoRow {
  from: string;
  to: string;
  frames: number;
  bytes: number;
}

const IO_ROW = /^\|\s*([\d.]+) <> ([\d.]+|Dur)\s*\|\s*(\d+) \|\s*(\d+) \|/;

function ioRows(out: string): IoRow[] {
  return out.split("\n").flatMap((line) => {
    const m = IO_ROW.exec(line);
    return m ? [{ from: m[1]!, to: m[2]!, frames: Number(m[3]), bytes: Number(m[4]) }] : [];
  });
}

/** Runs -z io,stat,<interval> on the frames and fails, naming what differs, unless the output is tshark's to the byte. `edge`: the frame the test put exactly on an interval's start. */
async function expectIo(t: CaseContext, frames: TimedFrame[], interval: string, what: string, edge?: { row: number; length: number }): Promise<void> {
  const run = await compare(t, frames, `io,stat,${interval}`, what, IO_RULES);
  if (!run) return;
  const { fail } = run;
  const [want, got] = [ioRows(run.want), ioRows(run.got)];
  const line = (out: string, prefix: string) => out.split("\n").find((l) => l.startsWith(prefix))?.replace(/\s*\|$/, "");
  if (want.length === 0 && got.length > 0) fail(`Your table has ${got.length} rows for a capture of zero duration; tshark's has none.`, "With no time between the first frame and the last (no frames, or one), the table has no rows.");
  const [gd, wd] = [line(run.got, "| Duration:"), line(run.want, "| Duration:")];
  if (gd !== wd) {
    const decimals = (l?: string) => /\.([\d ]*) secs/.exec(l ?? "")?.[1]?.length;
    if (decimals(gd) !== decimals(wd)) fail(`Your "${gd}" has another number of decimals than tshark's "${wd}".`, "Times are written with as many decimals as the interval has (0.25: two; whole seconds: the duration as seconds and six places of microseconds).");
    if (gd?.replace(/\s/g, "").replace(/\.0+/, ".") === wd?.replace(/\s/g, "").replace(/\.0+/, ".")) fail(`Your "${gd}" is written differently from tshark's "${wd}".`, 'With an interval of whole seconds, tshark 4.0 writes the duration as "<seconds>.%6u secs": the microseconds padded with spaces, not zeros (its quirk). With a fractional interval, to as many decimals as the interval has.');
    fail(`Your duration line "${gd}" differs from tshark's "${wd}".`, "The duration is the time from the first frame to the last.");
  }
  if (got.length !== want.length) fail(`Your table has ${got.length} rows; tshark's has ${want.length}.`, "One row per interval from the first frame to the last (the last row ending at the duration).");
  const label = (r: IoRow) => `${r.from} <> ${r.to}`;
  if (got.map(label).join() !== want.map(label).join()) {
    const [g, w] = [got.map(label), want.map(label)];
    const i = g.findIndex((l, k) => l !== w[k]);
    if (w[i]!.endsWith("Dur") && !g[i]!.endsWith("Dur")) fail(`Your last row reads "${g[i]}"; tshark's "${w[i]}".`, 'With an interval of whole seconds, the last row ends with "Dur", left-aligned (tshark\'s word for the capture\'s end).');
    fail(`Your row "${g[i]}" differs from tshark's "${w[i]}".`, "Interval times are written with as many decimals as the interval has (0.25: two), seconds as wide as the duration's; the last row ends at the duration.");
  }
  const counts = (rows: IoRow[]) => rows.map((r) => `${r.frames}/${r.bytes}`).join(" ");
  if (counts(got) !== counts(want)) {
    const sum = (rows: IoRow[]) => rows.reduce((n, r) => n + r.frames, 0);
    if (sum(got) < sum(want)) fail(`Your table counts ${sum(got)} frames; tshark's ${sum(want)}.`, "io,stat counts every frame, whatever it carries (UDP too, not only TCP).");
    if (edge) {
      // The frame on the edge counted one interval early, and nothing else different?
      const moved = want.map((r, k) => (k === edge.row ? { ...r, frames: r.frames - 1, bytes: r.bytes - edge.length } : k === edge.row - 1 ? { ...r, frames: r.frames + 1, bytes: r.bytes + edge.length } : r));
      if (counts(got) === counts(moved)) fail(`Your table counts the frame exactly ${want[edge.row]!.from} s after the first one in the interval before, "${label(want[edge.row - 1]!)}".`, "An interval holds its start, not its end: a frame exactly on the boundary between two intervals counts in the later one.");
    }
    fail("Your frames and bytes per interval differ from tshark's.", "Intervals are counted from the first frame's time (not from the clock's whole seconds): row k holds the frames from k × interval after the first frame up to, not including, (k + 1) × interval; bytes are the frames' lengths on the wire.");
  }
  fail("Your table's layout differs from tshark's (its widths or spacing).", "The Frames column is as wide as its largest value, at least 6; the Bytes column likewise, at least 5; the borders and the header lines widen with them.");
}

/** Frames at the given times (microseconds after `t0`). */
const timed = (t0: number, list: [number, Buffer][]): TimedFrame[] => list.map(([at, frame]) => ({ timeUs: t0 + at, frame }));

export default stage(import.meta, [
  {
    name: "conv,tcp: a conversation seen in both directions is one row; A is its first frame's source; frames and bytes each way; kB from 10,000 bytes",
    async run(t) {
      const e = ends(t.rand);
      // The client sends first (its address sorts after the server's), then more frames and bytes than the server: over 10,000 bytes.
      const [nc, ns] = [t.rand.int(8, 12), t.rand.int(2, 5)];
      const from = t.rand.shuffle([...Array(nc - 1).fill("c"), ...Array(ns).fill("s")] as ("c" | "s")[]);
      let at = t.rand.int(1000, 500_000);
      const list: [number, Buffer][] = [[0, datagram(t.rand, t.rand.int(10, 200))], [at, segment(t.rand, e, "c", 1400)]];
      for (const f of from) list.push([(at += t.rand.int(1000, 400_000)), segment(t.rand, e, f, f === "c" ? 1400 : t.rand.int(0, 300))]);
      await expectConv(t, timed(startUs(t.rand), list), `a UDP datagram, then one TCP conversation: ${nc} frames of 1,454 bytes from the client, ${ns} small ones from the server`);
    },
  },
  {
    name: "conv,tcp: several conversations, most frames first, equal totals in order of their first frame; relative start from the file's first frame",
    async run(t) {
      // Four conversations: the first seen has the fewest frames; two have the same number (the earlier of them first).
      const counts = [2, t.rand.int(5, 6), 3, 0];
      counts[3] = counts[1]!;
      const conns = counts.map(() => ends(t.rand));
      const queue: { e: Ends; left: number }[] = conns.map((e, i) => ({ e, left: counts[i]! }));
      let at = t.rand.int(1000, 300_000);
      const list: [number, Buffer][] = [[0, datagram(t.rand, t.rand.int(10, 200))]];
      // Each conversation's first frame in order, then the rest interleaved at random.
      for (const q of queue) {
        list.push([(at += t.rand.int(1000, 300_000)), segment(t.rand, q.e, "c", t.rand.int(0, 600))]);
        q.left--;
      }
      while (queue.some((q) => q.left > 0)) {
        const q = t.rand.pick(queue.filter((x) => x.left > 0));
        list.push([(at += t.rand.int(1000, 300_000)), segment(t.rand, q.e, t.rand.pick(["c", "s"] as const), t.rand.int(0, 600))]);
        q.left--;
      }
      await expectConv(t, timed(startUs(t.rand), list), `a UDP datagram, then four TCP conversations of ${counts.join(", ")} frames, their first frames in that order`);
    },
  },
  {
    name: "io,stat,1: every frame counted from the first frame's time, a frame exactly on an interval's start in that interval, an empty interval, columns as wide as their values",
    async run(t) {
      const list: [number, Buffer][] = [[0, datagram(t.rand, t.rand.int(10, 200))]];
      // Second 0: TCP and UDP frames; second 1: a burst of over 100,000 bytes; second 2: nothing; second 3 starts with a frame exactly 3 s after the first.
      const e = ends(t.rand);
      for (let i = 0; i < 3; i++) list.push([t.rand.int(1, 999_999), t.rand.int(0, 1) ? segment(t.rand, e, "c", t.rand.int(0, 500)) : datagram(t.rand, t.rand.int(0, 500))]);
      const burst = t.rand.int(70, 90);
      for (let i = 0; i < burst; i++) list.push([1_000_001 + t.rand.int(0, 990_000), segment(t.rand, e, t.rand.pick(["c", "s"] as const), 1400)]);
      const edgeFrame = datagram(t.rand, t.rand.int(10, 500));
      list.push([3_000_000, edgeFrame]);
      // The last frame: the duration's microseconds below 100,000 (so how they are padded shows), never on an interval's edge.
      const last = 4_000_000 + t.rand.int(1, 99_999);
      list.push([t.rand.int(3_000_001, last - 1), segment(t.rand, e, "s", t.rand.int(0, 500))], [last, datagram(t.rand, t.rand.int(10, 200))]);
      list.sort((x, y) => x[0] - y[0]);
      await expectIo(t, timed(startUs(t.rand), list), "1", `${list.length} frames over ${(last / 1e6).toFixed(6)} s: TCP and UDP, ${burst} frames of 1,454 bytes in the second second, none in the third, one exactly 3 s after the first`, { row: 3, length: edgeFrame.length });
    },
  },
  {
    name: "io,stat,<fraction>: times with the interval's decimals, a frame exactly on an interval's start, the last row ending at the duration",
    async run(t) {
      const [text, us] = t.rand.pick([["0.5", 500_000], ["0.25", 250_000], ["0.2", 200_000]] as const);
      const rows = t.rand.int(4, 7);
      const list: [number, Buffer][] = [[0, datagram(t.rand, t.rand.int(10, 200))]];
      const e = ends(t.rand);
      // Two frames per interval on average, none on an edge.
      for (let i = 0; i < rows * 2; i++) list.push([t.rand.int(0, rows - 1) * us + t.rand.int(1, us - 1), segment(t.rand, e, t.rand.pick(["c", "s"] as const), t.rand.int(0, 1400))]);
      const edgeRow = t.rand.int(1, rows - 1);
      const edgeFrame = datagram(t.rand, t.rand.int(10, 500));
      list.push([edgeRow * us, edgeFrame]);
      // The last frame inside the last interval, off its edges and off the interval's precision (so it is rounded).
      const last = rows * us + t.rand.int(us / 10, us / 2);
      list.push([last - t.rand.int(1, 9), datagram(t.rand, t.rand.int(10, 200))]);
      list.sort((x, y) => x[0] - y[0]);
      await expectIo(t, timed(startUs(t.rand), list), text, `${list.length} frames, one exactly ${(edgeRow * us) / 1e6} s after the first`, { row: edgeRow, length: edgeFrame.length });
    },
  },
  {
    name: "an empty capture: conv,tcp has no rows, io,stat no rows",
    async run(t) {
      await expectConv(t, [], "none: an empty capture");
      await expectIo(t, [], "1", "none: an empty capture");
    },
  },
]);
