import { join } from "node:path";
import { arp, ethernet, ETHERTYPE } from "../../harness/netns/frames.ts";
import { pcapFile } from "../../harness/netns/pcap.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import { assemble, ImageError, run, type Instruction } from "./bpf.ts";
import { mixedFrames } from "./sniff.ts";
import { groups6, text6, Traffic } from "./traffic.ts";

const FORMAT = 'tcpdump -d prints one instruction per line: "(NNN) <mnemonic> <operand>", numbered from (000); ld/ldh/ldb for 4-, 2- and 1-byte loads, with [k], [x + k], #pktlen, M[k], 4*([k]&0xf); constants compared, masked or loaded as immediates in hex (#0x800), offsets, other ALU operands and ret values in signed decimal (#262144, #-2); a conditional jump ends with "jt <n>\\tjf <n>", n being the number of the instruction it lands on.';

/** Frames of every kind the filter stages use, and expressions over them (from stages 7, 11 and 14), with values taken from the frames. */
function corpus(t: CaseContext) {
  const tr = new Traffic(t.rand);
  const [h1, h2] = tr.v4;
  const g = groups6(t.rand);
  const [a6, b6] = [text6(g), text6(groups6(t.rand))];
  const p = t.rand.int(1024, 32000);
  const [x, y] = tr.ports();
  const lengths = [t.rand.int(60, 90), t.rand.int(91, 140), t.rand.int(141, 199)];
  const frames = [
    ethernet("ff:ff:ff:ff:ff:ff", tr.macs[0], ETHERTYPE.arp, arp({ op: "request", senderMac: tr.macs[0], senderIp: h1, targetMac: "00:00:00:00:00:00", targetIp: h2 })),
    tr.v4icmp(),
    tr.v4udp([x, p]),
    tr.v4tcp([p, y]),
    tr.v6("udp", a6, b6, [p, y]),
    tr.v6("tcp", b6, a6, [x, y]),
    tr.v6("icmp6", a6, b6),
    tr.v6Fragment("udp", b6, a6, [x, p]),
    ...lengths.map((l) => tr.v4OfLength(l)),
    ...mixedFrames(t.rand, 8),
  ];
  const bits = t.rand.int(33, 63);
  const word1 = (((g[2]! << 16) | g[3]!) >>> 0) & ~((2 ** (64 - bits) - 1) >>> 0);
  const net6 = `${text6([g[0]!, g[1]!, word1 >>> 16, word1 & 0xffff, 0, 0, 0, 0]).replace(/(:0)+$/, "::")}/${bits}`;
  const [l0, l1] = [lengths[0]!, lengths[1]!];
  const d = t.rand.int(3, 9);
  const expressions = [
    "icmp or tcp",
    `host ${h2}`,
    `src host ${h1} or dst net ${h2.split(".").slice(0, 3).join(".")}.0/24`,
    `port ${p}`,
    `tcp dst portrange ${y - 3}-${y}`,
    `udp or icmp and host ${h1} and not arp`,
    `less ${l0} or greater ${l1}`,
    "tcp[tcpflags] & tcp-syn != 0",
    "ip[2:2] - (ip[0] & 0xf) * 4 > 30",
    "icmp6 or ip6 proto 17",
    `host ${a6}`,
    `ip6 net ${net6}`,
    `len % ${d} = ${l1 % d}`,
    `1000 = - len + ${1000 + l0}`,
    `len ^ 255 | 15 = ${l0 ^ 255}`,
    "ether[0] & 1 = 1 or arp",
    "udp[8:2] > 1000 or tcp[tcp[12] >> 4 : 1] >= 0",
  ];
  return { frames, expressions };
}

/** `<program> -d <expression>`: its stdout, failing the case unless it exited 0 within 10 s. */
async function printed(t: CaseContext, expression: string): Promise<string> {
  const r = await t.run(["-d", ...expression.split(" ")], { timeoutMs: 10_000, quietStderr: true });
  if (r.code !== 0) {
    t.fail({
      message: `Your program with -d "${expression}" exited with ${r.code === null ? "no exit within 10 s" : `code ${r.code}`}; tcpdump prints the compiled program and exits 0, capturing nothing.`,
      received: r.output.trim() || "(no output)",
      hint: "With -d, compile the expression, print the program (one instruction per line, as tcpdump -d does) and exit 0: no -i, no socket.",
    });
  }
  return r.stdout;
}

function assembled(t: CaseContext, expression: string, text: string): Instruction[] {
  try {
    return assemble(text);
  } catch (e) {
    if (!(e instanceof ImageError)) throw e;
    t.fail({ message: `Your program's -d output for "${expression}" is not in tcpdump -d's notation: ${e.message}.`, received: text.trimEnd(), hint: FORMAT });
  }
}

export default stage(import.meta, [
  {
    name: "-d prints the compiled program and exits, capturing nothing",
    async run(t) {
      const expression = t.rand.pick(["udp", "arp or icmp", `port ${t.rand.int(1, 65535)}`]);
      const out = await printed(t, expression);
      if (out.trim() === "") t.fail({ message: `Your program printed nothing on stdout for -d "${expression}".`, hint: "Print the compiled program on stdout, one instruction per line, then exit 0." });
    },
  },
  {
    name: "each instruction is printed as tcpdump -d prints it: numbered lines, mnemonics, operands, jump targets",
    async run(t) {
      const { expressions } = corpus(t);
      for (const e of expressions) assembled(t, e, await printed(t, e));
    },
  },
  {
    name: "the printed program keeps exactly the frames tcpdump's filter keeps",
    async run(t) {
      const { frames, expressions } = corpus(t);
      // Frame i is recorded at second i + 1: tcpdump -tt -r says which it keeps by their times.
      const file = join(t.dir, "frames.pcap");
      await Bun.write(file, pcapFile(frames.map((frame, i) => ({ timeUs: (i + 1) * 1_000_000, frame }))));
      t.log.note(`${frames.length} frames (ARP, IPv4 ICMP, UDP, TCP, IPv6 UDP, TCP, ICMPv6, a first fragment, frames of several lengths) in ${file}, frame i at second i + 1`);
      for (const e of expressions) {
        const prog = assembled(t, e, await printed(t, e));
        const r = await t.client("tcpdump", ["tcpdump", "-tt", "-n", "-r", file, ...e.split(" ")], { quietStderr: true });
        if (r.code !== 0) throw new Error(`tcpdump -r with "${e}" failed: ${r.output}`);
        const kept = new Set(r.stdout.split("\n").filter((l) => /^\d+\.\d{6} /.test(l)).map((l) => Number(l.split(".")[0]) - 1));
        const differ = frames.map((f, i) => i).filter((i) => (run(prog, frames[i]!) !== 0) !== kept.has(i));
        if (differ.length > 0) {
          const show = (i: number) => `frame ${i} (recorded at second ${i + 1}, ${frames[i]!.length} bytes): tcpdump ${kept.has(i) ? "keeps" : "drops"} it, your printed program ${kept.has(i) ? "drops" : "keeps"} it`;
          t.fail({
            message: `The program your -d printed for "${e}", run as classic BPF, does not keep the same frames as tcpdump's filter for that expression.`,
            received: differ.map(show).join("\n"),
            hint: `The printed program must be the one you attach: ldh loads 2 bytes, ld 4, ldb 1; jeq/jgt/jge/jset go to jt when true; ret #0 drops. ${FORMAT}`,
            detail: `Your -d output:\n${(await printed(t, e)).trimEnd().replace(/^/gm, "  | ")}`,
          });
        }
      }
    },
  },
]);
