import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pcapFile, type PcapOptions } from "../../harness/netns/pcap.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import { expectReadLikeTcpdump, mixedFrames, packetLines, Sent, startCapture, tcpdumpRead, wire } from "./sniff.ts";

const WRITE = "With -w <file>, write each frame to the file instead of printing it: a 24-byte global header (magic 0xa1b2c3d4, version 2.4, this-zone 0, sigfigs 0, snapshot length 262144, link type 1), then per frame a 16-byte record header (seconds, microseconds, captured length, length on the wire) and the frame's bytes, all little-endian on this machine.";

/** Captures `n` mixed frames, sent 30 ms apart, with `-w capture.pcap -c n`; returns the file and what was sent. */
async function captureToFile(t: CaseContext, n: number) {
  const w = wire(t);
  const file = join(t.dir, "capture.pcap");
  const capture = await startCapture(t, w.a.ns, w.a.iface.name, ["-n", "-w", file, "-c", String(n)]);
  const sent = new Sent();
  await sent.send(t, w.b.ns, w.b.iface.name, mixedFrames(t.rand, n), "ARP, ICMP, UDP and TCP frames, 30 ms apart", 30);
  const code = await capture.exited(5000, `after writing ${n} frames with -w and -c ${n}`, "With -w, -c still counts the frames written: stop after that many, close the file and exit with status 0.");
  if (code !== 0) t.fail({ message: `Your program exited with status ${code} after -c ${n} frames with -w.`, expected: "exit status 0", received: `exit status ${code}`, hint: WRITE, detail: capture.tail() });
  return { file, sent, capture };
}

/** Fails unless tcpdump can read the program's file at all. */
async function readable(t: CaseContext, file: string, flags: string[]) {
  const r = await tcpdumpRead(t, file, flags);
  if (r.code !== 0) t.fail({ message: "tcpdump cannot read the file your program wrote with -w.", detail: `tcpdump -r says (exit status ${r.code}):\n${r.output.trim()}`, hint: WRITE });
  return r;
}

/** The frames of a made-up capture, timed at random moments of the last year, in order. */
function pastFrames(t: CaseContext, n: number) {
  let timeUs = (Date.now() - t.rand.int(1, 365 * 86400) * 1000) * 1000 + t.rand.int(0, 999999);
  return mixedFrames(t.rand, n).map((frame) => {
    timeUs += t.rand.int(1, 5_000_000);
    return { timeUs, frame, extraNs: t.rand.int(0, 999) };
  });
}

export default stage(import.meta, [
  {
    name: "-w writes every captured frame to a pcap file that tcpdump -r reads back byte for byte, and prints no packet lines",
    async run(t) {
      const n = t.rand.int(4, 6);
      const { file, sent, capture } = await captureToFile(t, n);
      if (packetLines(capture.stdout).length > 0) t.fail({ message: "With -w your program still printed packet lines on stdout.", received: capture.stdout.trim(), hint: WRITE });
      const got = await readable(t, file, ["-n", "-e", "-x"]);
      const sentFile = join(t.dir, "sent.pcap");
      await Bun.write(sentFile, pcapFile(sent.frames));
      const want = await tcpdumpRead(t, sentFile, ["-n", "-e", "-x"]);
      if (got.text !== want.text) t.fail({ message: "The frames in your file differ from the frames that were sent (tcpdump -r -e -x of each, timestamps removed).", expected: want.text.trimEnd(), received: got.text.trimEnd(), hint: WRITE });
    },
  },
  {
    name: "the file starts with the pcap global header: magic a1b2c3d4, version 2.4, snapshot length 262144, link type 1 (Ethernet)",
    async run(t) {
      const { file } = await captureToFile(t, 2);
      const h = readFileSync(file).subarray(0, 24);
      const le = h.length >= 4 && h.readUInt32LE(0) === 0xa1b2c3d4;
      const u32 = (at: number) => (h.length >= at + 4 ? (le ? h.readUInt32LE(at) : h.readUInt32BE(at)) : NaN);
      const u16 = (at: number) => (h.length >= at + 2 ? (le ? h.readUInt16LE(at) : h.readUInt16BE(at)) : NaN);
      const show = (magic: number, major: number, minor: number, snaplen: number, linktype: number) => `magic ${magic.toString(16)}, version ${major}.${minor}, snapshot length ${snaplen}, link type ${linktype}`;
      const received = h.length < 24 ? `${h.length} bytes: ${h.toString("hex")}` : show(u32(0), u16(4), u16(6), u32(16), u32(20));
      t.expectEqual(received, show(0xa1b2c3d4, 2, 4, 262144, 1), { message: "Your file's global header is not tcpdump's.", hint: `${WRITE} tcpdump's default snapshot length is 262144 bytes: every frame is kept whole.` });
    },
  },
  {
    name: "each record's time is when the frame was captured, to the microsecond",
    async run(t) {
      const n = t.rand.int(3, 5);
      const { file, sent } = await captureToFile(t, n);
      const r = await readable(t, file, ["-n", "-tt"]);
      const times = packetLines(r.output.split("\n").filter((l) => /^\d+\.\d{6} /.test(l)).join("\n")).map((l) => Number(l.raw.split(" ")[0]));
      const hint = "Each record header carries the time the kernel received the frame: seconds since 1970 and microseconds (0-999999), from ioctl(SIOCGSTAMP) after each recvfrom() or from the ring's tp_sec/tp_usec.";
      if (times.length !== n) t.fail({ message: `tcpdump -r -tt read ${times.length} records from your file; ${n} frames were sent.`, received: r.output.trim(), hint });
      times.forEach((s, i) => {
        const [before, after] = sent.windows[i]!;
        // The kernel stamps a frame while the test's send call runs: between the clock readings around it (2 ms for rounding).
        if (s * 1000 < before - 2 || s * 1000 > after + 2) {
          t.fail({ message: `Record ${i + 1}'s time is not when the frame was captured (frames went out 30 ms apart).`, expected: `between ${(before / 1000).toFixed(3)} and ${(after / 1000).toFixed(3)} (seconds since 1970)`, received: s.toFixed(6), hint });
        }
      });
    },
  },
  {
    name: "-r prints the frames of a pcap file like tcpdump -r, with the times recorded in the file",
    async run(t) {
      const file = join(t.dir, "old.pcap");
      await Bun.write(file, pcapFile(pastFrames(t, 6)));
      t.log.note("a pcap file of frames captured at random moments of the last year:");
      await expectReadLikeTcpdump(t, file, "a pcap file", "With -r <file>, read the file instead of capturing: the 24-byte global header, then each 16-byte record header and its frame, printed like a captured frame but with the record's time (seconds and microseconds since 1970, as local time of day).");
    },
  },
  {
    name: "-r reads files with nanosecond times (magic a1b23c4d) and prints microseconds",
    async run(t) {
      const file = join(t.dir, "nano.pcap");
      await Bun.write(file, pcapFile(pastFrames(t, 4), { nanoseconds: true }));
      t.log.note("a pcap file with nanosecond times:");
      await expectReadLikeTcpdump(t, file, "a nanosecond pcap file", "The magic number says the unit of the second timestamp field: 0xa1b2c3d4 microseconds, 0xa1b23c4d nanoseconds. tcpdump prints microseconds: drop the last three digits of a nanosecond time.");
    },
  },
  {
    name: "-r reads files written in big-endian byte order, with micro- and nanosecond times",
    async run(t) {
      const file = join(t.dir, "big-endian.pcap");
      const opts: PcapOptions = { bigEndian: true };
      await Bun.write(file, pcapFile(pastFrames(t, 4), opts));
      t.log.note("a pcap file written on a big-endian machine:");
      await expectReadLikeTcpdump(t, file, "a big-endian pcap file", "A pcap file is written in the writer's byte order: when the magic reads d4c3b2a1, every header field of the file (global and per record) is big-endian.");
      // And with nanosecond times: the magic a1b23c4d read big-endian (4d3cb2a1 as little-endian).
      const nano = join(t.dir, "big-endian-nano.pcap");
      await Bun.write(nano, pcapFile(pastFrames(t, 3), { bigEndian: true, nanoseconds: true }));
      t.log.note("a pcap file with nanosecond times written on a big-endian machine:");
      await expectReadLikeTcpdump(t, nano, "a big-endian pcap file with nanosecond times", "A pcap file is written in the writer's byte order: when the magic reads 4d3cb2a1, the file is big-endian with nanosecond times (0xa1b23c4d); drop the last three digits of each time.");
    },
  },
  {
    name: "-r reads pcapng, the format tshark and dumpcap write",
    async run(t) {
      const plain = join(t.dir, "plain.pcap");
      const file = join(t.dir, "tshark.pcapng");
      await Bun.write(plain, pcapFile(pastFrames(t, 5), { nanoseconds: true }));
      const conv = await t.client("tshark", ["tshark", "-r", plain, "-w", file, "-F", "pcapng"], { quietStderr: true, env: { DEBIAN_FRONTEND: "noninteractive" } });
      if (conv.code !== 0) throw new Error(`tshark could not convert the test's file: ${conv.output}`);
      await expectReadLikeTcpdump(t, file, "a pcapng file written by tshark", "pcapng is a list of blocks (type, total length, body, total length again): a Section Header (0x0a0d0d0a, byte-order magic 0x1a2b3c4d), Interface Description blocks (type 1: link type; option if_tsresol, code 9, gives the time unit: 10^-n seconds, default microseconds) and Enhanced Packet blocks (type 6: interface, 64-bit time in that unit as high and low 32 bits, captured length, original length, data padded to 4 bytes). Skip the blocks you do not know.");
    },
  },
]);
