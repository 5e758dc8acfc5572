import { ethernet, ETHERTYPE, ipv4, IPPROTO, udp } from "../../harness/netns/frames.ts";
import { sendFrames } from "../../harness/netns/send.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import { closingCounts, randomMac, startCapture, wire, type Capture, type ClosingCounts } from "./sniff.ts";

const BUFFER = "Give the kernel room for a burst: a receive ring (setsockopt(SOL_PACKET, PACKET_VERSION, TPACKET_V3), then PACKET_RX_RING with struct tpacket_req3, and mmap() the ring) of 2 MiB, tcpdump's default buffer (-B 2048); with a plain recvfrom() socket, SO_RCVBUFFORCE (the kernel counts each small frame's whole buffer, hundreds of bytes, against it).";

/**
 * Starts the program with `-n -c <n> -w /dev/null …flags`, stops it
 * (SIGSTOP), sends n UDP frames of 106 bytes as fast as the sender goes, lets
 * it go on (SIGCONT), and waits for it to exit (SIGINT if it has not 3 s
 * later). 3,000 to 4,000 frames: about 0.6 MiB of frames with the ring's
 * per-frame headers, well inside 2 MiB, several times 256 KiB.
 */
async function stoppedBurst(t: CaseContext, flags: string[]): Promise<{ n: number; capture: Capture; counts: Partial<ClosingCounts>; shown: string }> {
  const w = wire(t);
  const n = t.rand.int(3000, 4000);
  const nobody = randomMac(t.rand); // no host has this MAC: a's kernel answers none of them
  const frames = Array.from({ length: n }, (_, i) => ethernet(nobody, w.b.iface.mac, ETHERTYPE.ipv4, ipv4({ src: w.b.iface.ip, dst: w.a.iface.ip, protocol: IPPROTO.udp, payload: udp(w.b.iface.ip, w.a.iface.ip, 40000 + (i % 1000), 9, new Uint8Array(64)) })));
  const capture = await startCapture(t, w.a.ns, w.a.iface.name, ["-n", "-c", String(n), "-w", "/dev/null", ...flags]);
  // Capturing once it says so (tcpdump sets its ring up after binding; with -w it prints "tcpdump: listening on …").
  const deadline = Date.now() + 3000;
  while (!/listening on /.test(capture.output)) {
    if (Date.now() > deadline) t.fail({ message: `Your program did not print "listening on ${w.a.iface.name}, …" on stderr within 3 s of binding its packet socket.`, hint: "Print the listening line to stderr once the capture is set up (stage 1).", detail: capture.tail() });
    await Bun.sleep(10);
  }
  // Stopped, as a program busy with something else would be, while the whole burst arrives.
  capture.signal("SIGSTOP");
  const t0 = performance.now();
  sendFrames(w.b.ns, w.b.iface.name, frames);
  t.log.note(`${n} crafted UDP frames of 106 bytes sent out of ${w.b.iface.name} in ${w.b.ns} in one burst (${Math.round(performance.now() - t0)} ms) while the program is stopped (SIGSTOP)`);
  capture.signal("SIGCONT");
  if ((await capture.proc.process.waitExit(3000)) === null) capture.signal("SIGINT");
  await capture.exited(3000, "on SIGINT (it had not captured all the frames 3 s after the burst)", "Catch SIGINT: print the closing counts and exit with status 0.");
  const counts = closingCounts(capture.output);
  const shown = `${counts.captured ?? "?"} packets captured\n${counts.received ?? "?"} packets received by filter\n${counts.dropped ?? "?"} packets dropped by kernel`;
  return { n, capture, counts, shown };
}

export default stage(import.meta, [
  {
    name: "a burst that arrives while the program is stopped waits in the kernel: every frame captured, none dropped",
    async run(t) {
      const { n, capture, counts, shown } = await stoppedBurst(t, []);
      if (counts.captured !== n || counts.received !== n || counts.dropped !== 0) {
        t.fail({ message: `${n} frames arrived while your program was stopped (SIGSTOP, then SIGCONT); with -c ${n} it should capture them all, the kernel dropping none.`, expected: `${n} packets captured\n${n} packets received by filter\n0 packets dropped by kernel`, received: shown, hint: BUFFER, detail: capture.tail() });
      }
    },
  },
  {
    name: "-B 256 makes the buffer 256 KiB: the burst overflows it, and received by filter counts the dropped frames too",
    async run(t) {
      const { n, capture, counts, shown } = await stoppedBurst(t, ["-B", "256"]);
      const hint = "-B <KiB> is the capture buffer's size in KiB (tcpdump(1)): size the ring (or the socket buffer) from it. The closing counts are PACKET_STATISTICS's: \"received by filter\" is tp_packets, which counts every frame the filter accepted, dropped ones included; \"dropped by kernel\" is tp_drops; what you captured is what was left.";
      if (counts.dropped === undefined || counts.dropped === 0) {
        t.fail({ message: `With -B 256, a burst of ${n} frames of 106 bytes that arrives while your program is stopped does not fit in the kernel's buffer: some must be dropped, as tcpdump drops them.`, expected: `${n} packets received by filter, and some dropped by kernel`, received: shown, hint, detail: capture.tail() });
      }
      if (counts.received !== n || counts.captured! + counts.dropped! !== n) {
        t.fail({ message: `Every one of the ${n} frames passed the (empty) filter: each was either captured or dropped by the kernel, and "received by filter" counts them all.`, expected: `${n} packets received by filter, captured + dropped = ${n}`, received: shown, hint, detail: capture.tail() });
      }
    },
  },
]);
