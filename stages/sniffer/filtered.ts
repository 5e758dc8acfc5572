/** What the filter stages (7 and 11) share: frames captured through a filter expression, compared with what tcpdump keeps of them. */
import { join } from "node:path";
import { pcapFile } from "../../harness/netns/pcap.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { expectLines, packetLines, Sent, startCapture, wire } from "./sniff.ts";

/**
 * Captures frames with a filter expression and compares the lines
 * with what tcpdump -r prints for the same frames and expression. Returns the
 * capture and how many frames matched.
 */
export async function expectFiltered(t: CaseContext, frames: Buffer[], expression: string, message: string, hint: string, what = "ARP, ICMP, UDP, TCP, a UDP fragment") {
  const file = join(t.dir, "sent.pcap");
  await Bun.write(file, pcapFile(frames.map((frame) => ({ timeUs: Date.now() * 1000, frame }))));
  t.log.note(`what tcpdump keeps of the frames the test will send, with the expression: ${expression}`);
  const words = expression.split(" ");
  const r = await t.client("tcpdump", ["tcpdump", "-r", file, "-n", ...words], { quietStderr: true });
  if (r.code !== 0) throw new Error(`tcpdump -r with "${expression}" failed: ${r.output}`);
  const expected = packetLines(r.stdout).map((l) => l.text);
  if (expected.length === 0) throw new Error(`the test's expression "${expression}" matches none of its frames`);
  const w = wire(t);
  const capture = await startCapture(t, w.a.ns, w.a.iface.name, ["-n", "-c", String(expected.length), ...words], { listening: true });
  await new Sent().send(t, w.b.ns, w.b.iface.name, frames, `${frames.length} frames (${what})`);
  // A filter that drops a frame it should keep never reaches -c: compare what it printed anyway, so the report shows the missing frame.
  const code = await capture.proc.process.waitExit(5000);
  expectLines(t, capture, expected, code === null ? `${message} (It printed these within 5 s and was still waiting for more.)` : message, hint);
  if (code === null) await capture.exited(0, `after the ${expected.length} frames that match "${expression}" (-c ${expected.length})`, `${hint} Frames that do not match are not printed and do not count for -c.`);
  return { capture, matched: expected.length };
}

