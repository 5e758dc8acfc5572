import { join } from "node:path";
import { buildQuery } from "../../challenges/dns/clients/dns-wire.ts";
import { ethernet, ETHERTYPE, ipv4, IPPROTO, tcp, udp } from "../../harness/netns/frames.ts";
import { pcapFile } from "../../harness/netns/pcap.ts";
import type { Random } from "../../harness/random.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import { expectReadLikeTcpdump, mixedFrames, randomIp, randomMac } from "./sniff.ts";

/** Time zones with offsets of whole hours, half hours and three quarters, on both sides of UTC. */
const ZONES = ["America/New_York", "Asia/Kolkata", "Pacific/Chatham", "America/St_Johns", "Asia/Tokyo", "Australia/Adelaide"];

/**
 * A capture file of `n` frames: times start at a random moment of the last
 * year and move forward by gaps from a microsecond to two hours (so deltas
 * show hours, and cross a date once in a while).
 */
async function file(t: CaseContext, n: number, frames = mixedFrames(t.rand, n)): Promise<string> {
  let timeUs = (Date.now() - t.rand.int(1, 365 * 86400) * 1000) * 1000 + t.rand.int(0, 999999);
  const gaps = [1, t.rand.int(2, 999), t.rand.int(1000, 999_999), t.rand.int(1_000_000, 59_999_999), t.rand.int(3_600_000_000, 7_200_000_000)];
  const timed = frames.map((frame, i) => {
    if (i > 0) timeUs += gaps[(i - 1) % gaps.length]!;
    return { timeUs, frame };
  });
  const path = join(t.dir, "capture.pcap");
  await Bun.write(path, pcapFile(timed));
  return path;
}

const T_HINT = "tcpdump's -t options: -t prints no time; -tt seconds since 1970, a dot and 6 digits of microseconds; -ttt the time since the previous packet as \" HH:MM:SS.uuuuuu\" (a space first, 00:00:00.000000 for the first packet; hours count past 24); -tttt the local date and time, \"YYYY-MM-DD HH:MM:SS.uuuuuu\"; -ttttt the time since the first packet, like -ttt. The time is followed by one space, then the packet.";

function tcpAndDns(rand: Random): Buffer[] {
  const [c, s] = [randomIp(rand), randomIp(rand)];
  const [cp, sp] = [rand.int(33000, 48000), rand.int(50000, 60000)];
  const mac = () => randomMac(rand);
  const seg = (payload: number, flags: ("syn" | "ack" | "psh")[]) => ethernet(mac(), mac(), ETHERTYPE.ipv4, ipv4({ src: c, dst: s, protocol: IPPROTO.tcp, payload: tcp({ src: c, dst: s, srcPort: cp, dstPort: sp, seq: rand.int(0, 2 ** 31), ack: 1, flags, options: flags.includes("syn") ? [{ kind: "mss", value: 1460 }] : [], payload: rand.bytes(payload) }) }));
  const dns = ethernet(mac(), mac(), ETHERTYPE.ipv4, ipv4({ src: c, dst: s, protocol: IPPROTO.udp, payload: udp(c, s, cp, 53, buildQuery({ id: rand.int(0, 65535), name: `${rand.word()}.example`, type: "A" })) }));
  return [seg(0, ["syn"]), seg(rand.int(1, 1400), ["psh", "ack"]), dns, ...mixedFrames(rand, 4)];
}

export default stage(import.meta, [
  {
    name: "-t prints no timestamp",
    async run(t) {
      await expectReadLikeTcpdump(t, await file(t, 4), "-t", T_HINT, ["-t"]);
    },
  },
  {
    name: "-tt prints seconds since 1970 with microseconds",
    async run(t) {
      await expectReadLikeTcpdump(t, await file(t, 5), "-tt", T_HINT, ["-tt"]);
    },
  },
  {
    name: "-ttt prints the time since the previous packet",
    async run(t) {
      await expectReadLikeTcpdump(t, await file(t, 6), "-ttt", T_HINT, ["-ttt"]);
    },
  },
  {
    name: "-tttt prints the local date and time",
    async run(t) {
      const TZ = ZONES[t.rand.int(0, ZONES.length - 1)]!;
      await expectReadLikeTcpdump(t, await file(t, 6), `-tttt in the time zone ${TZ}`, `${T_HINT} Local means the TZ the program runs with (here ${TZ}), not UTC.`, ["-tttt"], { TZ });
    },
  },
  {
    name: "-ttttt prints the time since the first packet",
    async run(t) {
      await expectReadLikeTcpdump(t, await file(t, 6), "-ttttt", T_HINT, ["-ttttt"]);
    },
  },
  {
    name: "-q prints TCP segments as tcp <length> and UDP without decoding what it carries",
    async run(t) {
      await expectReadLikeTcpdump(t, await file(t, 0, tcpAndDns(t.rand)), "-q", '-q (quick output) prints less: a TCP segment is "<src>.<port> > <dst>.<port>: tcp <payload bytes>" (no flags, numbers or options), a UDP datagram "UDP, length <n>" even on port 53; other lines are unchanged.', ["-q"]);
    },
  },
]);
