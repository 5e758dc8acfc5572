/**
 * A packet socket the harness itself reads, bound to one interface inside a
 * namespace: to check what went over a wire (the netns self-tests). Reads are
 * synchronous and bounded (SO_RCVTIMEO), so keep the timeouts short.
 */
import { AF_PACKET, check, cString, ETH_P_ALL, libc, SOCK_RAW } from "./libc.ts";
import { insideNetns } from "./inside.ts";

const SOL_SOCKET = 1;
const SO_RCVTIMEO = 20;

export class WireListener {
  private readonly fd: number;

  constructor(ns: string, iface: string) {
    this.fd = insideNetns(ns, () => {
      const fd = check(libc.socket(AF_PACKET, SOCK_RAW, 0), "socket(AF_PACKET, SOCK_RAW)");
      const sll = Buffer.alloc(20);
      sll.writeUInt16LE(AF_PACKET, 0);
      sll.writeUInt16BE(ETH_P_ALL, 2);
      sll.writeInt32LE(libc.if_nametoindex(cString(iface)), 4);
      try {
        check(libc.bind(fd, sll, 20), `bind to ${iface} in ${ns}`);
      } catch (e) {
        libc.close(fd);
        throw e;
      }
      return fd;
    });
  }

  /** The next frame, or undefined when none comes within `timeoutMs` (blocks this thread meanwhile). */
  next(timeoutMs: number): Buffer | undefined {
    const tv = Buffer.alloc(16);
    tv.writeBigInt64LE(BigInt(Math.floor(timeoutMs / 1000)), 0);
    tv.writeBigInt64LE(BigInt((timeoutMs % 1000) * 1000), 8);
    check(libc.setsockopt(this.fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16), "setsockopt SO_RCVTIMEO");
    const buf = Buffer.alloc(65536);
    const n = Number(libc.recv(this.fd, buf, buf.length, 0));
    return n < 0 ? undefined : Buffer.from(buf.subarray(0, n));
  }

  close(): void {
    libc.close(this.fd);
  }
}
