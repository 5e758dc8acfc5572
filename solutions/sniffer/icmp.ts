/** ICMP (RFC 792) messages, as tcpdump prints them without -v. */
import { ipv4, u16 } from "./bytes.ts";

const UNREACHABLE: Record<number, (dst: string, quoted: Uint8Array) => string> = {
  0: (dst) => `net ${dst} unreachable`,
  1: (dst) => `host ${dst} unreachable`,
  2: (dst, q) => `${dst} protocol ${q[9]} unreachable`,
  3: (dst, q) => {
    const ihl = (q[0]! & 15) * 4;
    const proto = q[9] === 17 ? "udp" : q[9] === 6 ? "tcp" : `proto-${q[9]}`;
    return q.length >= ihl + 4 ? `${dst} ${proto} port ${u16(q, ihl + 2)} unreachable` : `${dst} ${proto} port unreachable`;
  },
};

/** The text after "ICMP " for an ICMP message (`m` starts at the ICMP header). */
export function icmpText(m: Uint8Array): string {
  const [type, code] = [m[0]!, m[1]!];
  const quoted = m.subarray(8);
  switch (type) {
    case 0:
    case 8:
      return `echo ${type === 8 ? "request" : "reply"}, id ${u16(m, 4)}, seq ${u16(m, 6)}, length ${m.length}`;
    case 3: {
      const text = quoted.length >= 20 ? UNREACHABLE[code]?.(ipv4(quoted, 16), quoted) : undefined;
      return `${text ?? `unreachable code ${code}`}, length ${m.length}`;
    }
    case 11:
      return `${code === 0 ? "time exceeded in-transit" : "ip reassembly time exceeded"}, length ${m.length}`;
    default:
      return `type-#${type}, length ${m.length}`;
  }
}
