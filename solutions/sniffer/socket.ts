/**
 * A packet socket (packet(7)): socket(AF_PACKET, SOCK_RAW) bound to one
 * interface with protocol ETH_P_ALL, so it receives every frame that
 * interface sends or receives, with its Ethernet header.
 */
import { ptr } from "bun:ffi";
import type { Insn } from "./filter/compile.ts";
import { AF_PACKET, check, ETH_P_ALL, libc, PACKET_STATISTICS, SIOCGSTAMP, SOCK_RAW, SOL_PACKET } from "./libc.ts";

const SOL_SOCKET = 1;
const SO_ATTACH_FILTER = 26;
/** SO_RCVBUF past net.core.rmem_max (needs CAP_NET_ADMIN). */
const SO_RCVBUFFORCE = 33;
/** The socket's receive queue, as tcpdump's default capture buffer (-B): 2 MiB. The default (net.core.rmem_default, about 200 KiB) holds a few hundred small frames. */
const RCVBUF = 2 * 1024 * 1024;

/** setsockopt(SO_ATTACH_FILTER): struct sock_fprog { u16 len; struct sock_filter *filter; }, each sock_filter { u16 code; u8 jt; u8 jf; u32 k; }. */
function attachFilter(fd: number, prog: Insn[]): void {
  const insns = Buffer.alloc(prog.length * 8);
  prog.forEach((p, i) => {
    insns.writeUInt16LE(p.code, i * 8);
    insns[i * 8 + 2] = p.jt;
    insns[i * 8 + 3] = p.jf;
    insns.writeUInt32LE(p.k, i * 8 + 4);
  });
  const fprog = Buffer.alloc(16);
  fprog.writeUInt16LE(prog.length, 0);
  fprog.writeBigUInt64LE(BigInt(ptr(insns)), 8);
  check(libc.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, 16), "setsockopt(SO_ATTACH_FILTER)");
}

export interface Stats {
  /** Frames the kernel passed to the socket. */
  received: number;
  /** Frames the kernel dropped because the socket's queue was full. */
  dropped: number;
}

export class PacketSocket {
  private readonly total: Stats = { received: 0, dropped: 0 };

  private constructor(readonly fd: number) {}

  /**
   * Opens a socket bound to `iface` (ifindex 0, every interface, when
   * `anyInterface`). A filter program is attached before bind, so the kernel
   * never queues a frame it rejects.
   */
  static open(iface: string, anyInterface = false, filter?: Insn[]): PacketSocket {
    const ifindex = libc.if_nametoindex(Buffer.from(`${iface}\0`));
    if (ifindex === 0) throw new Error(`${iface}: No such device exists`);
    // Protocol 0: nothing is queued before bind() says which interface.
    const fd = check(libc.socket(AF_PACKET, SOCK_RAW, 0), "socket(AF_PACKET, SOCK_RAW)");
    // The first SIOCGSTAMP switches kernel receive timestamps on (it fails: nothing read yet).
    libc.ioctl(fd, SIOCGSTAMP, Buffer.alloc(16));
    const size = Buffer.alloc(4);
    size.writeInt32LE(RCVBUF, 0);
    check(libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, size, 4), "setsockopt(SO_RCVBUFFORCE)");
    if (filter) attachFilter(fd, filter);
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
