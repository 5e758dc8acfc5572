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
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(usec).padStart(6, "0")}`;
}

const two = (n: number) => String(n).padStart(2, "0");
const six = (n: number) => String(n).padStart(6, "0");

/** A duration as tcpdump's -ttt and -ttttt print it: " HH:MM:SS.uuuuuu" (hours may pass 24), "-" in front when negative. */
export function duration(usec: number): string {
  const sign = usec < 0 ? "-" : " ";
  const u = Math.abs(usec);
  const sec = Math.floor(u / 1e6);
  return `${sign}${two(Math.floor(sec / 3600))}:${two(Math.floor(sec / 60) % 60)}:${two(sec % 60)}.${six(u % 1e6)}`;
}

/** -tttt: the local date and time of day, "YYYY-MM-DD HH:MM:SS.uuuuuu". */
export function dateAndTime(sec: number, usec: number): string {
  const d = new Date(sec * 1000);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${timeOfDay(sec, usec)}`;
}

/**
 * The timestamp a line starts with, for tcpdump's -t options given `level`
 * times (0: time of day): -t none, -tt seconds since 1970, -ttt time since the
 * previous packet, -tttt date and time, -ttttt time since the first packet.
 */
export class Stamper {
  private first?: number;
  private previous?: number;

  constructor(private readonly level: number) {}

  stamp(sec: number, usec: number): string {
    const now = sec * 1e6 + usec;
    this.first ??= now;
    const previous = this.previous ?? now;
    this.previous = now;
    switch (this.level) {
      case 0:
        return `${timeOfDay(sec, usec)} `;
      case 1:
        return "";
      case 2:
        return `${sec}.${six(usec)} `;
      case 3:
        return `${duration(now - previous)} `;
      case 4:
        return `${dateAndTime(sec, usec)} `;
      default:
        return `${duration(now - this.first)} `;
    }
  }
}
