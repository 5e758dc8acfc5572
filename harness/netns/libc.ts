/**
 * The few libc calls the network-namespace helpers make through bun:ffi:
 * packet sockets (AF_PACKET) to send crafted frames, and setns(2) to create
 * such a socket inside a namespace. Pointer arguments take Buffers.
 */
import { dlopen, read } from "bun:ffi";

const lib = dlopen("libc.so.6", {
  __errno_location: { args: [], returns: "ptr" },
  strerror: { args: ["i32"], returns: "cstring" },
  socket: { args: ["i32", "i32", "i32"], returns: "i32" },
  sendto: { args: ["i32", "ptr", "u64", "i32", "ptr", "u32"], returns: "i64" },
  bind: { args: ["i32", "ptr", "u32"], returns: "i32" },
  recv: { args: ["i32", "ptr", "u64", "i32"], returns: "i64" },
  setsockopt: { args: ["i32", "i32", "i32", "ptr", "u32"], returns: "i32" },
  close: { args: ["i32"], returns: "i32" },
  open: { args: ["ptr", "i32", "i32"], returns: "i32" },
  setns: { args: ["i32", "i32"], returns: "i32" },
  if_nametoindex: { args: ["ptr"], returns: "u32" },
});

export const libc = lib.symbols;
export const AF_PACKET = 17;
export const SOCK_RAW = 3;
export const ETH_P_ALL = 0x0003;
export const CLONE_NEWNET = 0x40000000;
const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;

export function cString(s: string): Buffer {
  return Buffer.from(`${s}\0`);
}

function errnoText(what: string): string {
  const e = read.i32(lib.symbols.__errno_location()!, 0);
  return `${what}: ${lib.symbols.strerror(e)} (errno ${e})`;
}

/** Throws with the call and errno when a libc call returned < 0. */
export function check(result: number | bigint, what: string): number {
  const n = Number(result);
  if (n < 0) throw new Error(errnoText(what));
  return n;
}

export function openReadOnly(path: string): number {
  return check(libc.open(cString(path), O_RDONLY | O_CLOEXEC, 0), `open ${path}`);
}
