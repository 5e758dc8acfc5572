/** The libc calls the sniffer makes, through bun:ffi. Pointer arguments take Buffers. */
import { dlopen, read } from "bun:ffi";

const lib = dlopen("libc.so.6", {
  __errno_location: { args: [], returns: "ptr" },
  strerror: { args: ["i32"], returns: "cstring" },
  socket: { args: ["i32", "i32", "i32"], returns: "i32" },
  bind: { args: ["i32", "ptr", "u32"], returns: "i32" },
  recvfrom: { args: ["i32", "ptr", "u64", "i32", "ptr", "ptr"], returns: "i64" },
  getsockopt: { args: ["i32", "i32", "i32", "ptr", "ptr"], returns: "i32" },
  setsockopt: { args: ["i32", "i32", "i32", "ptr", "u32"], returns: "i32" },
  ioctl: { args: ["i32", "u64", "ptr"], returns: "i32" },
  if_nametoindex: { args: ["ptr"], returns: "u32" },
  close: { args: ["i32"], returns: "i32" },
  mmap: { args: ["ptr", "u64", "i32", "i32", "i32", "i64"], returns: "ptr" },
  poll: { args: ["ptr", "u64", "i32"], returns: "i32" },
});

export const libc = lib.symbols;

export const AF_PACKET = 17;
export const SOCK_RAW = 3;
/** Every protocol: the socket sees every frame of the interface. */
export const ETH_P_ALL = 0x0003;
export const SOL_PACKET = 263;
export const PACKET_STATISTICS = 6;
/** setsockopt(SOL_PACKET): the receive ring (struct tpacket_req3 for TPACKET_V3). */
export const PACKET_RX_RING = 5;
/** setsockopt(SOL_PACKET): the ring's frame header layout (TPACKET_V1, V2, V3). */
export const PACKET_VERSION = 10;
export const TPACKET_V3 = 2;
/** The kernel's receive timestamp of the last packet read (struct timeval). */
export const SIOCGSTAMP = 0x8906;
/** sockaddr_ll.sll_pkttype of a frame this host sent. */
export const PACKET_OUTGOING = 4;

export function errno(): number {
  return read.i32(lib.symbols.__errno_location()!, 0);
}

/** Throws "<what>: <strerror>" when a call returned < 0. */
export function check(result: number | bigint, what: string): number {
  const n = Number(result);
  if (n < 0) {
    const e = errno();
    throw new Error(`${what}: ${lib.symbols.strerror(e)}`);
  }
  return n;
}
