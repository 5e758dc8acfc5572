/**
 * Reads frames from a packet socket in a thread of its own: a blocking
 * recvfrom() sleeps in the kernel until a frame comes, and each frame is
 * posted to the main thread separately, with its packet type and the kernel's
 * receive timestamp.
 */
import { check, libc, SIOCGSTAMP } from "./libc.ts";

declare const self: Worker;

export interface Received {
  frame: Uint8Array;
  /** sll_pkttype: 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us. */
  pktType: number;
  /** Length on the wire (the frame may be cut to the buffer). */
  length: number;
  sec: number;
  usec: number;
}

self.onmessage = (e: MessageEvent<number>) => {
  const fd = e.data;
  const buf = Buffer.alloc(262144);
  const from = Buffer.alloc(20);
  const fromLen = Buffer.alloc(4);
  const tv = Buffer.alloc(16);
  for (;;) {
    fromLen.writeUInt32LE(20, 0);
    const n = check(libc.recvfrom(fd, buf, buf.length, 0, from, fromLen), "recvfrom");
    libc.ioctl(fd, SIOCGSTAMP, tv);
    const msg: Received = { frame: buf.slice(0, n), pktType: from[10]!, length: n, sec: Number(tv.readBigInt64LE(0)), usec: Number(tv.readBigInt64LE(8)) };
    postMessage(msg);
  }
};
