/**
 * A packet socket (packet(7)): socket(AF_PACKET, SOCK_RAW) bound to one
 * interface with protocol ETH_P_ALL, so it receives every frame that
 * interface sends or receives, with its Ethernet header.
 */
import { AF_PACKET, check, ETH_P_ALL, libc, PACKET_STATISTICS, SIOCGSTAMP, SOCK_RAW, SOL_PACKET } from "./libc.ts";

export interface Stats {
  /** Frames the kernel passed to the socket. */
  received: number;
  /** Frames the kernel dropped because the socket's queue was full. */
  dropped: number;
}

export class PacketSocket {
  private readonly total: Stats = { received: 0, dropped: 0 };

  private constructor(readonly fd: number) {}

  /** Opens a socket bound to `iface` (ifindex 0, every interface, when `anyInterface`). */
  static open(iface: string, anyInterface = false): PacketSocket {
    const ifindex = libc.if_nametoindex(Buffer.from(`${iface}\0`));
    if (ifindex === 0) throw new Error(`${iface}: No such device exists`);
    // Protocol 0: nothing is queued before bind() says which interface.
    const fd = check(libc.socket(AF_PACKET, SOCK_RAW, 0), "socket(AF_PACKET, SOCK_RAW)");
    // The first SIOCGSTAMP switches kernel receive timestamps on (it fails: nothing read yet).
    libc.ioctl(fd, SIOCGSTAMP, Buffer.alloc(16));
    // struct sockaddr_ll: u16 family, be16 protocol, i32 ifindex, u16 hatype, u8 pkttype, u8 halen, u8 addr[8]
    const sll = Buffer.alloc(20);
    sll.writeUInt16LE(AF_PACKET, 0);
    sll.writeUInt16BE(ETH_P_ALL, 2);
    sll.writeInt32LE(anyInterface ? 0 : ifindex, 4);
    check(libc.bind(fd, sll, 20), `bind to ${iface}`);
    return new PacketSocket(fd);
  }

  /** The kernel's counters since the socket was opened (PACKET_STATISTICS; each read resets the kernel's, so they are summed here). */
  stats(): Stats {
    const buf = Buffer.alloc(8);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(8, 0);
    if (libc.getsockopt(this.fd, SOL_PACKET, PACKET_STATISTICS, buf, len) === 0) {
      // tp_packets counts drops too.
      const packets = buf.readUInt32LE(0);
      const drops = buf.readUInt32LE(4);
      this.total.received += packets;
      this.total.dropped += drops;
    }
    return { ...this.total };
  }
}
