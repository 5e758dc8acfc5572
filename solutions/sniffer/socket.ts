/**
 * A packet socket (packet(7)): socket(AF_PACKET, SOCK_RAW) bound to one
 * interface with protocol ETH_P_ALL, so it receives every frame that
 * interface sends or receives, with its Ethernet header, into a receive ring
 * shared with user space (PACKET_RX_RING, TPACKET_V3; ring-worker.ts reads it).
 */
import { ptr } from "bun:ffi";
import type { Insn } from "./filter/compile.ts";
import { AF_PACKET, check, ETH_P_ALL, libc, PACKET_RX_RING, PACKET_STATISTICS, PACKET_VERSION, SOCK_RAW, SOL_PACKET, TPACKET_V3 } from "./libc.ts";

const SOL_SOCKET = 1;
const SO_ATTACH_FILTER = 26;

/** The receive ring's shape: blockCount blocks of blockSize bytes, each handed to user space when full or after timeoutMs. */
export interface Ring {
  blockSize: number;
  blockCount: number;
  timeoutMs: number;
}

/**
 * 2 MiB, tcpdump's default capture buffer (-B 2048), in 16 blocks of 128 KiB
 * (a block holds one frame of loopback's 64 KiB MTU whole, or about 680
 * frames of 106 bytes). A block is handed over when full or 100 ms after it
 * was opened: a line is printed at most that long after its frame arrived,
 * and while nothing reads the ring, the kernel closes a block at least every
 * 100 ms, so the 16 fill up no sooner than in 1.6 s even when frames trickle.
 */
export const DEFAULT_RING: Ring = { blockSize: 128 * 1024, blockCount: 16, timeoutMs: 100 };

/** Sets up the ring: setsockopt(PACKET_VERSION, TPACKET_V3), then PACKET_RX_RING with struct tpacket_req3 (seven u32). */
function setupRing(fd: number, ring: Ring): void {
  const version = Buffer.alloc(4);
  version.writeInt32LE(TPACKET_V3, 0);
  check(libc.setsockopt(fd, SOL_PACKET, PACKET_VERSION, version, 4), "setsockopt(PACKET_VERSION, TPACKET_V3)");
  // tp_frame_size/tp_frame_nr only have to agree with the blocks for V3 (frames are packed into blocks as they come).
  const frameSize = 2048;
  const req = Buffer.alloc(28);
  [ring.blockSize, ring.blockCount, frameSize, (ring.blockSize / frameSize) * ring.blockCount, ring.timeoutMs, 0, 0].forEach((v, i) => req.writeUInt32LE(v, i * 4));
  check(libc.setsockopt(fd, SOL_PACKET, PACKET_RX_RING, req, 28), "setsockopt(PACKET_RX_RING)");
}

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

  private constructor(
    readonly fd: number,
    readonly ring: Ring,
  ) {}

  /**
   * Opens a socket bound to `iface` (ifindex 0, every interface, when
   * `anyInterface`). A filter program is attached before bind, so the kernel
   * never queues a frame it rejects, and so is the ring.
   */
  static open(iface: string, anyInterface = false, filter?: Insn[], ring: Ring = DEFAULT_RING): PacketSocket {
    const ifindex = libc.if_nametoindex(Buffer.from(`${iface}\0`));
    if (ifindex === 0) throw new Error(`${iface}: No such device exists`);
    // Protocol 0: nothing is queued before bind() says which interface.
    const fd = check(libc.socket(AF_PACKET, SOCK_RAW, 0), "socket(AF_PACKET, SOCK_RAW)");
    setupRing(fd, ring);
    if (filter) attachFilter(fd, filter);
    // struct sockaddr_ll: u16 family, be16 protocol, i32 ifindex, u16 hatype, u8 pkttype, u8 halen, u8 addr[8]
    const sll = Buffer.alloc(20);
    sll.writeUInt16LE(AF_PACKET, 0);
    sll.writeUInt16BE(ETH_P_ALL, 2);
    sll.writeInt32LE(anyInterface ? 0 : ifindex, 4);
    check(libc.bind(fd, sll, 20), `bind to ${iface}`);
    return new PacketSocket(fd, ring);
  }

  /** The kernel's counters since the socket was opened (PACKET_STATISTICS, struct tpacket_stats_v3 with a ring; each read resets the kernel's, so they are summed here). */
  stats(): Stats {
    const buf = Buffer.alloc(12);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(12, 0);
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
