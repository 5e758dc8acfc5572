import { arp, ethernet, ETHERTYPE } from "../../harness/netns/frames.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import { closingCounts, packetLines, randomIp, randomMac, Sent, startCapture, wire, type Wire } from "./sniff.ts";

const COUNT = "-c <count>: print that many packet lines, then stop capturing, print the closing counts and exit with status 0 (tcpdump(1), -c).";
const ONE_LINE = "Print exactly one line per frame (a frame is one recvfrom() on the packet socket), each ending in \\n, and nothing else on stdout: messages go to stderr.";

/** `n` ARP requests from made-up hosts, broadcast on the wire from b (no host answers them). */
function arpFrames(t: CaseContext, n: number): Uint8Array[] {
  return Array.from({ length: n }, () => {
    const mac = randomMac(t.rand);
    return ethernet("ff:ff:ff:ff:ff:ff", mac, ETHERTYPE.arp, arp({ op: "request", senderMac: mac, senderIp: randomIp(t.rand), targetMac: "00:00:00:00:00:00", targetIp: randomIp(t.rand) }));
  });
}

/** Starts the program with -c n on a's end, sends n + 2 frames from b, and waits for it to exit. */
async function countedCapture(t: CaseContext, n: number, env?: Record<string, string>, w: Wire = wire(t)) {
  const capture = await startCapture(t, w.a.ns, w.a.iface.name, ["-n", "-c", String(n)], { env });
  const startedAt = Date.now();
  await new Sent().send(t, w.b.ns, w.b.iface.name, arpFrames(t, n + 2), `${n + 2} ARP requests`);
  const code = await capture.exited(5000, `after printing ${n} packets with -c ${n}`, COUNT);
  return { capture, code, startedAt, endedAt: Date.now() };
}

/** Time zones a few hours and half hours away from UTC, on both sides. */
const ZONES = ["America/New_York", "Asia/Kolkata", "Asia/Tokyo", "America/St_Johns", "Australia/Adelaide", "Europe/Moscow"];

/** Seconds since midnight in a time zone. */
function secondsOfDay(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return get("hour") * 3600 + get("minute") * 60 + get("second") + (ms % 1000) / 1000;
}

export default stage(import.meta, [
  {
    name: "with -c N it prints one line for each of the first N frames, then exits with status 0",
    async run(t) {
      const n = t.rand.int(3, 6);
      const { capture, code } = await countedCapture(t, n);
      const lines = packetLines(capture.stdout);
      if (lines.length !== n) t.fail({ message: `Expected ${n} lines on stdout for -c ${n} (${n + 2} frames were sent), got ${lines.length}.`, expected: `${n} lines`, received: `${lines.length} lines`, hint: `${ONE_LINE} ${COUNT}`, detail: capture.tail() });
      if (code !== 0) t.fail({ message: `Your program exited with status ${code} after -c ${n} frames.`, expected: "exit status 0", received: `exit status ${code}`, hint: COUNT, detail: capture.tail() });
    },
  },
  {
    name: "each line starts with the frame's capture time as HH:MM:SS.uuuuuu, local time (TZ)",
    async run(t) {
      const n = t.rand.int(2, 4);
      // The program runs in a time zone other than UTC: "local" must follow TZ.
      const TZ = ZONES[t.rand.int(0, ZONES.length - 1)]!;
      const { capture, startedAt, endedAt } = await countedCapture(t, n, { TZ });
      const lines = packetLines(capture.stdout);
      const hint = `Start each line with the time the kernel received the frame (ioctl SIOCGSTAMP after each recvfrom(), or SO_TIMESTAMP): hours, minutes and seconds of the local time of day (in the time zone TZ names, here ${TZ}), a dot, then six digits of microseconds, then a space.`;
      const bad = lines.find((l) => l.time === undefined);
      if (bad) t.fail({ message: "A line does not start with a timestamp in tcpdump's default form.", expected: "HH:MM:SS.uuuuuu <packet>", received: bad.raw, hint, detail: capture.tail() });
      // The frames were sent between startedAt and endedAt: each time is within that window (1 s margin), in order.
      const [lo, hi] = [secondsOfDay(startedAt, TZ) - 1, secondsOfDay(endedAt, TZ) + 1];
      const inWindow = (s: number) => [s, s + 86400, s - 86400].some((x) => x >= lo && x <= hi);
      for (const [i, l] of lines.entries()) {
        const at = (ms: number) => new Date(ms).toLocaleTimeString("en-GB", { timeZone: TZ, hourCycle: "h23" });
        if (!inWindow(l.time!)) t.fail({ message: `Line ${i + 1}'s time is not when the frame was captured: the frames went out between ${at(startedAt)} and ${at(endedAt)}, local time in ${TZ} (the program ran with TZ=${TZ}).`, expected: `a line starting between ${at(startedAt)} and ${at(endedAt)} (± 1 s)`, received: l.raw, hint, detail: capture.tail() });
        if (i > 0 && l.time! < lines[i - 1]!.time!) t.fail({ message: "The lines' times go backwards.", expected: "each line's time at or after the one before", received: `${lines[i - 1]!.raw}\n${l.raw}`, hint, detail: capture.tail() });
      }
    },
  },
  {
    name: "on exit it prints the closing counts on stderr: packets captured, received by filter, dropped by kernel",
    async run(t) {
      const n = t.rand.int(2, 5);
      const { capture } = await countedCapture(t, n);
      const counts = closingCounts(capture.output);
      const hint = `On exit, print to stderr, one per line: "<n> packets captured" (the lines you printed), "<n> packets received by filter" and "<n> packets dropped by kernel" (from getsockopt(SOL_PACKET, PACKET_STATISTICS): tp_packets and tp_drops).`;
      const shown = `${counts.captured ?? "?"} packets captured\n${counts.received ?? "?"} packets received by filter\n${counts.dropped ?? "?"} packets dropped by kernel`;
      if (counts.captured !== n || counts.received === undefined || counts.dropped === undefined) {
        t.fail({ message: `Wrong closing counts after -c ${n}.`, expected: `${n} packets captured\n(at least ${n}) packets received by filter\n(a number) packets dropped by kernel`, received: shown, hint, detail: capture.tail() });
      }
      if (counts.received! < n) t.fail({ message: `"received by filter" (${counts.received}) is less than the ${n} packets captured.`, received: shown, hint, detail: capture.tail() });
      if (closingCounts(capture.stdout).captured !== undefined) t.fail({ message: "The closing counts went to stdout; they belong on stderr (stdout carries only packet lines).", hint, detail: capture.tail() });
    },
  },
  {
    name: "SIGINT (Ctrl-C) stops the capture: closing counts, exit status 0",
    async run(t) {
      const w = wire(t);
      const k = t.rand.int(2, 4);
      const capture = await startCapture(t, w.a.ns, w.a.iface.name, ["-n", "-l"]);
      await new Sent().send(t, w.b.ns, w.b.iface.name, arpFrames(t, k), `${k} ARP requests`);
      await capture.printed(k, 5000, `${ONE_LINE} With -l, write each line out as soon as it is printed (line-buffered).`);
      capture.signal("SIGINT");
      const hint = "Catch SIGINT (and SIGTERM): stop reading, print the closing counts to stderr and exit with status 0, as tcpdump does when you press Ctrl-C.";
      const code = await capture.exited(3000, "on SIGINT", hint);
      if (code !== 0) t.fail({ message: `On SIGINT your program exited with status ${code}${code === 130 ? " (killed by SIGINT: no handler)" : ""}.`, expected: "exit status 0", received: `exit status ${code}`, hint, detail: capture.tail() });
      const counts = closingCounts(capture.output);
      if (counts.captured !== k) t.fail({ message: `After ${k} lines and SIGINT, the closing counts should say ${k} packets captured.`, expected: `${k} packets captured`, received: counts.captured === undefined ? "(no \"packets captured\" line)" : `${counts.captured} packets captured`, hint, detail: capture.tail() });
    },
  },
]);
