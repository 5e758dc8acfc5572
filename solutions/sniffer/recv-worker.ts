/**
 * Reads frames from a packet socket in a thread of its own: a blocking
 * recvfrom() sleeps in the kernel until a frame comes; it and the frames
 * already queued behind it (read without waiting) are posted to the main
 * thread in one message, each with its packet type and the kernel's receive
 * timestamp.
 */
import { check, errno, libc, SIOCGSTAMP } from "./libc.ts";

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

/** recvfrom flag: return at once (EAGAIN) when nothing is queued. */
const MSG_DONTWAIT = 0x40;
const EAGAIN = 11;
/** At most this many frames per message to the main thread. */
const BATCH = 256;

self.onmessage = (e: MessageEvent<number>) => {
  const fd = e.data;
  const buf = Buffer.alloc(262144);
  const from = Buffer.alloc(20);
  const fromLen = Buffer.alloc(4);
  const tv = Buffer.alloc(16);
  const read = (flags: number): Received | undefined => {
    fromLen.writeUInt32LE(20, 0);
    const r = Number(libc.recvfrom(fd, buf, buf.length, flags, from, fromLen));
    if (r < 0 && flags === MSG_DONTWAIT && errno() === EAGAIN) return undefined; // nothing queued
    const n = check(r, "recvfrom");
    libc.ioctl(fd, SIOCGSTAMP, tv);
    // A copy of its own: a view into buf would make postMessage copy all 256 KiB of buf for each frame.
    const frame = new Uint8Array(n);
    frame.set(buf.subarray(0, n));
    return { frame, pktType: from[10]!, length: n, sec: Number(tv.readBigInt64LE(0)), usec: Number(tv.readBigInt64LE(8)) };
  };
  for (;;) {
    // Sleep in the kernel until a frame comes, then take what else is already queued: one message per batch, not per frame.
    const batch = [read(0)!];
    for (let r; batch.length < BATCH && (r = read(MSG_DONTWAIT)); ) batch.push(r);
    postMessage(batch);
  }
};
