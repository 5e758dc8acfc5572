import { arp, ethernet, ETHERTYPE, type Arp } from "../../harness/netns/frames.ts";
import type { Random } from "../../harness/random.ts";
import { stage } from "../../harness/stage/define.ts";
import { clientIn } from "../../harness/netns/case.ts";
import { join } from "node:path";
import { pcapFile } from "../../harness/netns/pcap.ts";
import { expectLines, expectTcpdumpLines, packetLines, randomIp, randomMac, startCapture, wire } from "./sniff.ts";

const ZERO = "00:00:00:00:00:00";
const BROADCAST = "ff:ff:ff:ff:ff:ff";
const REQUEST = `An ARP request (operation 1) reads "ARP, Request who-has <target protocol address> tell <sender protocol address>, length <n>": the address asked about is the target's (bytes 24-27 of the ARP packet), the one asking is the sender's (bytes 14-17). A gratuitous request (sender and target the same address) prints the same way.`;
const LENGTH = "\"length\" is the number of bytes after the 14-byte Ethernet header, padding included: 28 for a bare ARP packet, 46 when the frame was padded to the 60-byte Ethernet minimum.";

function arpFrame(a: Arp, dst: string, pad = false): Uint8Array {
  const frame = ethernet(dst, a.senderMac, ETHERTYPE.arp, arp(a));
  return pad ? Buffer.concat([frame, Buffer.alloc(60 - frame.length)]) : frame;
}

function request(rand: Random, opts: { targetMac?: string; gratuitous?: boolean; pad?: boolean } = {}): Uint8Array {
  const senderMac = randomMac(rand);
  const senderIp = randomIp(rand);
  const targetMac = opts.targetMac ?? ZERO;
  return arpFrame({ op: "request", senderMac, senderIp, targetMac, targetIp: opts.gratuitous ? senderIp : randomIp(rand) }, targetMac === ZERO ? BROADCAST : targetMac, opts.pad);
}

function reply(rand: Random, pad = false): Uint8Array {
  const targetMac = randomMac(rand);
  return arpFrame({ op: "reply", senderMac: randomMac(rand), senderIp: randomIp(rand), targetMac, targetIp: randomIp(rand) }, targetMac, pad);
}

export default stage(import.meta, [
  {
    name: "an ARP request prints as: ARP, Request who-has <target> tell <sender>, length <bytes after the Ethernet header>",
    async run(t) {
      // Bare and padded requests, and a gratuitous one (sender and target the same address).
      const frames = [request(t.rand), request(t.rand, { pad: true }), request(t.rand, { gratuitous: true }), request(t.rand)];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "ARP requests (one padded to 60 bytes, one gratuitous)" }, "Your lines for ARP requests differ from tcpdump's.", `${REQUEST} ${LENGTH}`);
    },
  },
  {
    name: "a request that already names the target's MAC address shows it in parentheses",
    async run(t) {
      const frames = [request(t.rand, { targetMac: randomMac(t.rand) }), request(t.rand), request(t.rand, { targetMac: randomMac(t.rand) })];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "ARP requests, two with the target hardware address filled in" }, "Your lines for ARP requests that carry the target's MAC differ from tcpdump's.", 'When the target hardware address (bytes 18-23) is not all zeros, tcpdump writes it after the target address: "Request who-has 10.0.0.2 (02:5c:aa:bb:cc:dd) tell 10.0.0.1".');
    },
  },
  {
    name: "an ARP reply prints as: ARP, Reply <sender> is-at <sender's MAC>, length <n>",
    async run(t) {
      const frames = [reply(t.rand), reply(t.rand, true), reply(t.rand)];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "ARP replies (one padded to 60 bytes)" }, "Your lines for ARP replies differ from tcpdump's.", `An ARP reply (operation 2) answers "who has <sender protocol address>": "ARP, Reply <sender protocol address> is-at <sender hardware address>" (bytes 14-17 and 8-13), MAC bytes as two lower-case hex digits joined by ":". ${LENGTH}`);
    },
  },
  {
    name: "-e first prints the link-level header: source MAC > destination MAC, ethertype ARP (0x0806), frame length",
    async run(t) {
      const frames = [request(t.rand), reply(t.rand), request(t.rand, { targetMac: randomMac(t.rand), pad: true })];
      await expectTcpdumpLines(
        t,
        { flags: ["-n", "-e"], frames, what: "ARP frames, shown with -e" },
        "Your lines with -e differ from tcpdump's.",
        'With -e each line starts with the Ethernet header: "<source MAC> > <destination MAC>, ethertype ARP (0x0806), length <whole frame length>: " (the source is bytes 6-11, the destination bytes 0-5), then the ARP text without the "ARP, " in front.',
      );
    },
  },
  {
    name: "only frames of the interface named by -i are captured",
    async run(t) {
      const elsewhere = [request(t.rand), reply(t.rand)];
      const frames = [request(t.rand), reply(t.rand), request(t.rand)];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, elsewhere, what: "ARP frames on the captured interface" }, "Your program printed frames that did not cross the interface named by -i.", "Bind the packet socket to the interface: sll_ifindex = if_nametoindex(<iface>) in the sockaddr_ll passed to bind(). With ifindex 0 it receives the frames of every interface of the host (here, its loopback too).");
    },
  },
  {
    name: "the host's own frames are captured too: its ARP reply to a real ping",
    async run(t) {
      const w = wire(t);
      const capture = await startCapture(t, w.a.ns, w.a.iface.name, ["-n", "-c", "2"]);
      // A real ping from b: b asks who has a's address (broadcast), a answers (a frame a itself sends).
      await clientIn(t, w.b.ns, "iputils-ping", ["ping", "-c", "1", "-W", "2", w.a.iface.ip], { timeoutMs: 5000 });
      await capture.exited(5000, "after -c 2 (the ARP request and reply of a ping)", "Print the frames the host sends as well as those it receives.");
      const request = arpFrame({ op: "request", senderMac: w.b.iface.mac, senderIp: w.b.iface.ip, targetMac: ZERO, targetIp: w.a.iface.ip }, BROADCAST);
      const answer = arpFrame({ op: "reply", senderMac: w.a.iface.mac, senderIp: w.a.iface.ip, targetMac: w.b.iface.mac, targetIp: w.b.iface.ip }, w.b.iface.mac);
      const file = join(t.dir, "arp.pcap");
      await Bun.write(file, pcapFile([request, answer].map((frame) => ({ timeUs: Date.now() * 1000, frame }))));
      t.log.note("what tcpdump prints for the ARP request and reply the kernels send:");
      const r = await t.client("tcpdump", ["tcpdump", "-r", file, "-n"], { quietStderr: true });
      expectLines(t, capture, packetLines(r.stdout).map((l) => l.text), "Your program did not print the host's own ARP reply.", "On interfaces other than lo, a frame the host sends reaches the packet socket once, with sll_pkttype PACKET_OUTGOING (4): it is the host's own traffic, print it. Only on the loopback interface is the outgoing copy a duplicate to skip.");
    },
  },
  {
    name: "on the loopback interface each frame is printed once, not also as the outgoing copy",
    async run(t) {
      const frames = [request(t.rand), reply(t.rand), request(t.rand, { targetMac: randomMac(t.rand) })];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, loopback: true, what: "ARP frames on lo (the program captures -i lo)" }, "Your lines for frames on lo differ from tcpdump's.", "On lo a packet socket gets every frame twice: once as sent (sll_pkttype PACKET_OUTGOING = 4, in the address recvfrom() fills in) and once as received. Like libpcap, skip the outgoing copy on the loopback interface (on other interfaces the outgoing frames are the host's own traffic: keep them).");
    },
  },
]);
