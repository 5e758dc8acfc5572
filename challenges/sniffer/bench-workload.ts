/**
 * The sniffer benchmark's workload (see bench.ts): builds two network
 * namespaces joined by a veth pair, and for each of a few burst rates starts
 * the program with `-i veth-a -n -c <N> -w /dev/null` in one, sends N crafted
 * UDP frames at that rate from the other, and reads the program's closing
 * counts. Prints, per metric, one line "<name> <value>":
 *   lossless-fps   the highest rate tried (frames per second, as sent) at which it captured all N
 *   full-sent-fps  the rate of the last burst, sent as fast as the sender can
 *   full-captured  frames it captured of the N of that burst
 *   full-dropped   frames the kernel dropped for it in that burst (its "dropped by kernel" count)
 *   bun run challenges/sniffer/bench-workload.ts <program command> [frames per burst]
 */
import { ethernet, ETHERTYPE, ipv4, IPPROTO, udp } from "../../harness/netns/frames.ts";
import { inNs } from "../../harness/netns/ip.ts";
import { sendFrames } from "../../harness/netns/send.ts";
import { twoHosts } from "../../harness/netns/topology.ts";
import { GroupProcess } from "../../harness/process/spawn.ts";
import { closingCounts } from "../../stages/sniffer/sniff.ts";

const [command, framesText] = Bun.argv.slice(2);
if (!command) {
  console.error("usage: bench-workload.ts <program command> [frames per burst]");
  process.exit(2);
}
const N = Number(framesText ?? "20000");
/** Frames per second; 0: as fast as the sender can. */
const RATES = [2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 0];
/**
 * The frames are addressed to a MAC no host on the wire has: a's kernel drops
 * them (PACKET_OTHERHOST) instead of answering (ICMP port unreachable, ARP),
 * so the program captures exactly the frames sent.
 */
const NOBODY = "02:00:5e:00:53:01";

interface Burst {
  sentFps: number;
  captured: number;
  dropped: number;
}

async function burst(ns: { a: string; b: string }, iface: { a: string; b: string }, frames: Buffer[], rate: number): Promise<Burst> {
  const prog = new GroupProcess(inNs(ns.a, ["/bin/sh", "-c", `exec ${command} "$@"`, "sniff", "-i", iface.a, "-n", "-c", String(frames.length), "-w", "/dev/null"]), { cwd: process.cwd() });
  try {
    const deadline = Date.now() + 10_000;
    while (!/listening on /.test(prog.output.text())) {
      if (prog.exitCode !== null || Date.now() > deadline) throw new Error(`${command} did not print "listening on" within 10 s:\n${prog.output.tail(10)}`);
      await Bun.sleep(10);
    }
    await Bun.sleep(200); // the worker reading the socket (ours) gets going
    const t0 = performance.now();
    sendFrames(ns.b, iface.b, frames, rate);
    const seconds = (performance.now() - t0) / 1000;
    // With -c N it exits once it has N; if it lost some it waits for more: stop it as Ctrl-C would.
    if ((await prog.waitExit(5_000)) === null) {
      process.kill(prog.pid, "SIGINT");
      await prog.waitExit(5_000);
    }
    const counts = closingCounts(prog.output.text());
    if (counts.captured === undefined) throw new Error(`${command} printed no closing counts:\n${prog.output.tail(10)}`);
    return { sentFps: frames.length / seconds, captured: counts.captured, dropped: counts.dropped ?? 0 };
  } finally {
    await prog.stop();
  }
}

const topo = twoHosts();
try {
  const a = topo.node("a").ifaces[0]!;
  const b = topo.node("b").ifaces[0]!;
  const ns = { a: topo.node("a").ns, b: topo.node("b").ns };
  const frames = Array.from({ length: N }, (_, i) =>
    ethernet(NOBODY, b.mac, ETHERTYPE.ipv4, ipv4({ src: b.ip, dst: a.ip, protocol: IPPROTO.udp, payload: udp(b.ip, a.ip, 40000 + (i % 1000), 9, new Uint8Array(64)) })),
  );
  let lossless = 0;
  let last: Burst | undefined;
  for (const rate of RATES) {
    last = await burst(ns, { a: a.name, b: b.name }, frames, rate);
    console.error(`rate ${rate || "max"}: sent ${N} at ${last.sentFps.toFixed(0)}/s, captured ${last.captured}, dropped ${last.dropped}`);
    if (last.captured === N) lossless = Math.max(lossless, last.sentFps);
  }
  console.log(`lossless-fps ${lossless.toFixed(0)}`);
  console.log(`full-sent-fps ${last!.sentFps.toFixed(0)}`);
  console.log(`full-captured ${last!.captured}`);
  console.log(`full-dropped ${last!.dropped}`);
} finally {
  topo.teardown();
}
process.exit(0);
