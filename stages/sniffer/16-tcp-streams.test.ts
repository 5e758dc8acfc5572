import { join } from "node:path";
import { ethernet, ETHERTYPE, ipv4, IPPROTO, tcp, type TcpFlag } from "../../harness/netns/frames.ts";
import { pcapFile } from "../../harness/netns/pcap.ts";
import type { Random } from "../../harness/random.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import { ends, type Ends } from "./sniff.ts";

const RULES =
  'With -r <file> -z follow,tcp,ascii,<n>, print only what tshark -q -z follow,tcp,ascii,<n> prints: an empty line, 67 "=", "Follow: tcp,ascii", "Filter: tcp.stream eq <n>", "Node 0: <address>:<port>" (the source of the stream\'s first frame), "Node 1: …", then each chunk of data as it is delivered ("<length>" and the bytes on the next line; node 1\'s lengths after a tab), then 67 "=".';

/** A TCP segment of a connection, from the client (c) or the server (s); every segment acknowledges only the other side's SYN. */
function segment(e: Ends, isn: { c: number; s: number }, from: "c" | "s", offset: number, data: Uint8Array, flags: TcpFlag[] = ["ack", "psh"]): Buffer {
  const [src, dst, srcPort, dstPort, smac, dmac] = from === "c" ? [e.client, e.server, e.cport, e.sport, e.macs[0], e.macs[1]] : [e.server, e.client, e.sport, e.cport, e.macs[1], e.macs[0]];
  const peer = from === "c" ? isn.s : isn.c;
  const seq = ((from === "c" ? isn.c : isn.s) + 1 + offset) >>> 0;
  return ethernet(dmac, smac, ETHERTYPE.ipv4, ipv4({ src, dst, protocol: IPPROTO.tcp, payload: tcp({ src, dst, srcPort, dstPort, seq, ack: flags.includes("ack") ? (peer + 1) >>> 0 : 0, flags, payload: data }) }));
}

/** Text with what the ascii view shows as it is (letters, spaces, CR LF) and what it shows as dots (a tab, a NUL, bytes of 0x7f and over). */
function message(rand: Random, length: number): Buffer {
  const parts: number[] = [];
  const specials = [[0x0d, 0x0a], [0x09], [0x00], [0x7f], [0xc3, 0xa9], [0xff]];
  while (parts.length < length) {
    const word = rand.word();
    parts.push(...Buffer.from(`${word} `));
    if (rand.int(0, 3) === 0) parts.push(...rand.pick(specials));
  }
  // Every message holds each kind of byte at least once.
  return Buffer.concat([Buffer.from([0x09, 0x0d, 0x0a, 0x00, 0xff]), Buffer.from(parts.slice(0, length - 5))]);
}

/**
 * One direction's data cut into five segments S1..S5, and the order they are
 * sent in: S1, S3 (ahead of a gap: it waits), S2 (fills the gap: S2, then S3,
 * are delivered), S2 again (a duplicate), X (from the middle of S3 to the
 * middle of S4, its first part different bytes: only its part from S4 on is
 * new), S4 (only its part after X is new), S5.
 */
function direction(rand: Random, data: Buffer): { offset: number; data: Uint8Array }[] {
  const n = data.length;
  const cut = [0, ...[0.2, 0.4, 0.6, 0.8].map((f) => Math.floor(n * f) + rand.int(-2, 2)), n];
  const piece = (i: number) => ({ offset: cut[i]!, data: data.subarray(cut[i]!, cut[i + 1]!) });
  const m3 = rand.int(cut[2]! + 1, cut[3]! - 1);
  const m4 = rand.int(cut[3]! + 1, cut[4]! - 1);
  const x = Buffer.from(data.subarray(m3, m4));
  for (let i = 0; i < cut[3]! - m3; i++) x[i] = x[i] === 0x5a ? 0x59 : 0x5a;
  return [piece(0), piece(2), piece(1), piece(1), { offset: m3, data: x }, piece(3), piece(4)];
}

/** A whole connection: handshake, both directions' segments interleaved (client first), FINs. */
function connection(rand: Random, e: Ends, wrap: boolean): Buffer[] {
  // With wrap, the client's sequence numbers pass 2^32 - 1 inside the data.
  const isn = { c: wrap ? 2 ** 32 - rand.int(8, 30) : rand.int(0, 2 ** 31), s: rand.int(0, 2 ** 32 - 1) };
  const [cdata, sdata] = [message(rand, rand.int(60, 120)), message(rand, rand.int(60, 120))];
  const [cs, ss] = [direction(rand, cdata), direction(rand, sdata)];
  const frames = [segment(e, isn, "c", -1, new Uint8Array(), ["syn"]), segment(e, isn, "s", -1, new Uint8Array(), ["syn", "ack"]), segment(e, isn, "c", 0, new Uint8Array(), ["ack"])];
  for (let i = 0; i < cs.length; i++) frames.push(segment(e, isn, "c", cs[i]!.offset, cs[i]!.data), segment(e, isn, "s", ss[i]!.offset, ss[i]!.data));
  frames.push(segment(e, isn, "c", cdata.length, new Uint8Array(), ["fin", "ack"]), segment(e, isn, "s", sdata.length, new Uint8Array(), ["fin", "ack"]));
  return frames;
}

interface Parsed {
  /** Lines before any chunk and the last line. */
  head: string[];
  chunks: { indent: string; length: string; text: string }[];
  /** Lines before the leading empty line and rule (packet lines). */
  before: string[];
}

/** The parts of -z follow output: header lines, then chunks ("<length>\n" and that many characters, which may hold line ends, then "\n"), then the closing rule. */
function parse(out: string): Parsed {
  const lines = out.split("\n");
  const start = lines.findIndex((l) => l.startsWith("Follow: "));
  if (start === -1) return { head: lines, chunks: [], before: [] };
  const before = lines.slice(0, Math.max(0, start - 2));
  const head = lines.slice(Math.max(0, start - 2), start + 4);
  const chunks: Parsed["chunks"] = [];
  let at = lines.slice(0, start + 4).join("\n").length + 1;
  for (;;) {
    const m = /^(\t?)(\d+)\n/.exec(out.slice(at));
    if (!m) break;
    const length = Number(m[2]);
    const text = out.slice(at + m[0].length, at + m[0].length + length);
    chunks.push({ indent: m[1]!, length: m[2]!, text });
    at += m[0].length + length + 1;
  }
  head.push(...out.slice(at).split("\n"));
  return { head, chunks, before };
}

/** Runs -z follow on a file and fails, naming what differs, unless the output is tshark's to the byte. */
async function expectFollow(t: CaseContext, frames: Buffer[], n: number, what: string): Promise<void> {
  const file = join(t.dir, "stream.pcap");
  await Bun.write(file, pcapFile(frames.map((frame, i) => ({ timeUs: Date.now() * 1000 + i * 1000, frame }))));
  t.log.note(`${frames.length} crafted frames (${what}) in ${file}`);
  const want = (await t.client("tshark", ["tshark", "-r", file, "-q", "-z", `follow,tcp,ascii,${n}`], { quietStderr: true })).stdout;
  const r = await t.run(["-r", file, "-z", `follow,tcp,ascii,${n}`], { timeoutMs: 10_000, quietStderr: true });
  if (r.code === 0 && r.stdout === want) return;
  const [g, w] = [parse(r.stdout), parse(want)];
  const fail = (message: string, hint: string) => t.fail({ message, expected: want.trimEnd(), received: r.code === 0 ? r.stdout.trimEnd() : `exit status ${r.code}: ${r.output.trim()}`, hint: `${hint} ${RULES}` });
  if (r.code !== 0) fail(`Your program with -r ${file} -z follow,tcp,ascii,${n} exited with ${r.code === null ? "no exit within 10 s" : `code ${r.code}`}.`, "Read the file, follow the stream, print it and exit 0.");
  if (g.before.length > 0) fail("Your program printed packet lines before the stream: with -z, print only the statistics (as tshark -q).", "No packet lines with -z.");
  const line = (p: Parsed, prefix: string) => p.head.find((l) => l.startsWith(prefix));
  if (line(g, "Filter: ") !== line(w, "Filter: ")) fail(`Your "Filter:" line for stream ${n} differs from tshark's.`, 'Streams are numbered from 0 in the order of their first frame in the file; the line reads "Filter: tcp.stream eq <n>".');
  if (line(g, "Node 0: ") !== line(w, "Node 0: ") || line(g, "Node 1: ") !== line(w, "Node 1: ")) {
    fail(`Your "Node 0:" and "Node 1:" lines for stream ${n} differ from tshark's: not the same connection, or its ends in another order.`, "Streams are numbered from 0 in the order of their first frame; Node 0 is the source of the stream's first frame (here the client, whose SYN comes first), whatever the addresses' order; Node 1 the other end.");
  }
  if (g.head.join("\n") !== w.head.join("\n")) fail("Your lines around the stream's data differ from tshark's.", "");
  const plain = (p: Parsed) => p.chunks.map((c) => `${c.length}\n${c.text}`).join("\n");
  if (plain(g) === plain(w)) fail("Your chunk lengths are indented differently from tshark's.", "Node 1's chunk lengths start with a tab; node 0's do not.");
  for (const node of [0, 1]) {
    const text = (p: Parsed) => p.chunks.filter((c) => (c.indent === "\t" ? 1 : 0) === node).map((c) => c.text).join("");
    const [gt, wt] = [text(g), text(w)];
    if (gt === wt) continue;
    const dots = gt.length === wt.length && [...wt].every((ch, i) => ch === gt[i] || ch === "." || gt[i] === ".");
    if (dots) fail(`The bytes node ${node} sent show differently from tshark's ascii view.`, "In the ascii view each byte that is printable ASCII (0x20-0x7e), CR or LF shows as it is; any other byte (a tab, NUL, 0x7f, 0x80-0xff) as a dot.");
    fail(
      `The bytes node ${node} sent, put back in order, differ from what tshark reassembles.`,
      "Reassemble each direction by sequence number (modulo 2^32, counting from the SYN's number + 1): a segment beyond the next expected byte waits until the gap before it is filled; a segment whose bytes were all delivered is a duplicate and shows nothing; a segment overlapping bytes already delivered adds only its bytes after them (the bytes delivered first win, even where the later segment's differ).",
    );
  }
  if (g.chunks.map((c) => c.length).join(",") !== w.chunks.map((c) => c.length).join(",") || g.chunks.length !== w.chunks.length) {
    fail("Your stream has the same bytes as tshark's but cut into other chunks.", "Each delivery is a chunk of its own, printed as it happens: a segment's new bytes; then, one chunk each, every waiting segment the stream has now reached. Chunks are not merged, even when they come from the same side one after the other.");
  }
  fail(`Your output for stream ${n} differs from tshark's.`, "");
}

export default stage(import.meta, [
  {
    name: "each direction's bytes in sequence order: a segment ahead of a gap waits, duplicates and already delivered bytes show once, sequence numbers wrap",
    async run(t) {
      const frames = connection(t.rand, ends(t.rand), true);
      await expectFollow(t, frames, 0, "one connection: each side's data in five segments, sent S1, S3, S2, S2 again, a segment overlapping S3 and S4 with other bytes where it overlaps, S4, S5; the client's sequence numbers wrap past 2^32");
    },
  },
  {
    name: "streams are numbered in order of their first frame; node 0 is the source of that frame",
    async run(t) {
      // Three connections, their frames interleaved; each SYN before any other frame of the later ones.
      const conns = [0, 1, 2].map(() => connection(t.rand, ends(t.rand), false));
      const frames: Buffer[] = conns.map((c) => c.shift()!);
      while (conns.some((c) => c.length > 0)) {
        const c = t.rand.pick(conns.filter((x) => x.length > 0));
        frames.push(c.shift()!);
      }
      const n = t.rand.int(0, 2);
      await expectFollow(t, frames, n, `three connections with their frames interleaved, stream ${n} followed`);
    },
  },
]);
