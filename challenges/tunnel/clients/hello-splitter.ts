/**
 * A TCP relay the test puts in front of a TLS port to deliver a client's
 * ClientHello the hard way, as the network and the TLS record layer may: the
 * first TLS record cut into two records (RFC 8446 §5.1 lets a handshake
 * message span records), and those bytes sent in small TCP segments with
 * pauses between them. Everything after, both ways, passes unchanged. Stops
 * when the case ends.
 */
import net from "node:net";
import type { CaseContext } from "../../../harness/stage/context.ts";

export interface SplitterOptions {
  /** Bytes per TCP segment while the first record goes out. */
  piece: number;
  /** Pause between those segments, ms. */
  pauseMs: number;
  /** Cut the record in the middle of this text (the server name), so that the name spans the two records; otherwise at the payload's half. */
  cutInside?: string;
}

/** Rewrites one TLS record (header + payload) as two records carrying the payload's halves (cut in the middle of `cutInside` when the payload holds it). */
export function splitRecord(record: Buffer, cutInside?: string): Buffer {
  const payload = record.subarray(5);
  const at = cutInside ? payload.indexOf(cutInside, 0, "latin1") : -1;
  const half = at > 0 ? at + Math.max(1, cutInside!.length >> 1) : Math.max(1, payload.length >> 1);
  const header = (len: number) => Buffer.from([record[0]!, record[1]!, record[2]!, len >> 8, len & 0xff]);
  return Buffer.concat([header(half), payload.subarray(0, half), header(payload.length - half), payload.subarray(half)]);
}

export class HelloSplitter {
  /** How many first records were cut in two (one per connection that began with a TLS record). */
  split = 0;

  private constructor(readonly port: number) {}

  static async start(t: CaseContext, target: number, o: SplitterOptions): Promise<HelloSplitter> {
    const relay = new HelloSplitter(await t.port());
    const live = new Set<net.Socket>();
    const server = net.createServer((inbound) => {
      const outbound = net.connect({ host: "127.0.0.1", port: target });
      outbound.setNoDelay(true);
      for (const s of [inbound, outbound]) {
        live.add(s);
        s.on("error", () => {});
        s.on("close", () => {
          live.delete(s);
          inbound.destroy();
          outbound.destroy();
        });
      }
      outbound.pipe(inbound);
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        if (head.length < 5) return;
        const end = 5 + head.readUInt16BE(3);
        if (head[0] === 22 && head.length < end) return;
        inbound.removeListener("data", onData);
        inbound.pause();
        const first = head[0] === 22 ? splitRecord(head.subarray(0, end), o.cutInside) : head.subarray(0, end);
        if (head[0] === 22) relay.split++;
        void (async () => {
          for (let off = 0; off < first.length && !outbound.destroyed; off += o.piece) {
            outbound.write(first.subarray(off, off + o.piece));
            await Bun.sleep(o.pauseMs);
          }
          if (head.length > end) outbound.write(head.subarray(end));
          inbound.pipe(outbound);
          inbound.resume();
        })();
      };
      inbound.on("data", onData);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(relay.port, "127.0.0.1", () => resolve());
    });
    t.log.output(`(a TCP relay the test runs: 127.0.0.1:${relay.port} → 127.0.0.1:${target}, cutting the first TLS record in two${o.cutInside ? ` in the middle of "${o.cutInside}"` : ""} and sending it ${o.piece} bytes at a time, ${o.pauseMs} ms apart)`);
    t.defer(() => {
      for (const s of live) s.destroy();
      server.close();
    });
    return relay;
  }
}
