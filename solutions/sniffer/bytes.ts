/** How addresses are written in tcpdump's lines. */

/** A MAC address: six lower-case two-digit hex bytes joined by ":". */
export function mac(b: Uint8Array, at: number): string {
  return [...b.subarray(at, at + 6)].map((x) => x.toString(16).padStart(2, "0")).join(":");
}

/** A dotted-quad IPv4 address. */
export function ipv4(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

export function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

export function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** A capture time as tcpdump prints it by default: local time of day, to the microsecond. */
export function timeOfDay(sec: number, usec: number): string {
  const d = new Date(sec * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(usec).padStart(6, "0")}`;
}
