/** Puts crafted frames on an interface inside a namespace, through a packet socket (AF_PACKET, SOCK_RAW). */
import { AF_PACKET, check, cString, libc, SOCK_RAW } from "./libc.ts";
import { insideNetns } from "./inside.ts";

/** The interface's index inside the namespace (0 when there is no such interface). */
export function ifindexIn(ns: string, iface: string): number {
  return insideNetns(ns, () => libc.if_nametoindex(cString(iface)));
}

/**
 * Sends each frame (a whole Ethernet frame, header included) out of `iface`
 * in namespace `ns`, in order. The socket is made inside the namespace and
 * used from here; it never receives (protocol 0), so it sees nothing.
 * `perSecond` paces them (sleeping whenever it is a millisecond ahead); by
 * default they go as fast as sendto takes them.
 */
export function sendFrames(ns: string, iface: string, frames: readonly Uint8Array[], perSecond = 0): void {
  const { fd, ifindex } = insideNetns(ns, () => {
    const ifindex = libc.if_nametoindex(cString(iface));
    if (ifindex === 0) throw new Error(`no interface ${iface} in network namespace ${ns}`);
    return { fd: check(libc.socket(AF_PACKET, SOCK_RAW, 0), "socket(AF_PACKET, SOCK_RAW)"), ifindex };
  });
  const t0 = performance.now();
  try {
    for (const [i, frame] of frames.entries()) {
      const ahead = perSecond > 0 ? t0 + (i / perSecond) * 1000 - performance.now() : 0;
      if (ahead >= 1) Bun.sleepSync(ahead);
      // struct sockaddr_ll: family, protocol (0: the frame's own), ifindex, hatype, pkttype, halen, addr[8]
      const sll = Buffer.alloc(20);
      sll.writeUInt16LE(AF_PACKET, 0);
      sll.writeInt32LE(ifindex, 4);
      sll[11] = 6;
      Buffer.from(frame.subarray(0, 6)).copy(sll, 12);
      const buf = Buffer.from(frame);
      const sent = check(libc.sendto(fd, buf, buf.length, 0, sll, 20), `sendto on ${iface} in ${ns}`);
      if (sent !== buf.length) throw new Error(`sendto on ${iface} sent ${sent} of ${buf.length} bytes`);
    }
  } finally {
    libc.close(fd);
  }
}
