/** TCP segments (RFC 9293), as tcpdump prints them with -n. */
import { u16, u32 } from "./bytes.ts";
import { tcpPayloadText } from "./http.ts";

const FLAGS: [number, string][] = [
  [0x01, "F"],
  [0x02, "S"],
  [0x04, "R"],
  [0x08, "P"],
  [0x10, "."],
  [0x20, "U"],
  [0x40, "E"],
  [0x80, "W"],
];
const ACK = 0x10;
const SYN = 0x02;
const SYN_FIN_RST = 0x07;

/** The option list: "mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7". */
export function tcpOptions(o: Uint8Array): string {
  const out: string[] = [];
  for (let i = 0; i < o.length; ) {
    const kind = o[i]!;
    if (kind === 0) {
      out.push("eol");
      break;
    }
    if (kind === 1) {
      out.push("nop");
      i++;
      continue;
    }
    const len = o[i + 1] ?? 0;
    if (len < 2 || i + len > o.length) {
      out.push(`opt-${kind}:`);
      break;
    }
    const v = o.subarray(i + 2, i + len);
    if (kind === 2 && len === 4) out.push(`mss ${u16(v, 0)}`);
    else if (kind === 3 && len === 3) out.push(`wscale ${v[0]}`);
    else if (kind === 4 && len === 2) out.push("sackOK");
    else if (kind === 8 && len === 10) out.push(`TS val ${u32(v, 0)} ecr ${u32(v, 4)}`);
    else out.push(`opt-${kind}:${Buffer.from(v).toString("hex")}`);
    i += len;
  }
  return out.join(",");
}

/** What tcpText asks for each segment: the sequence and acknowledgement numbers to print. */
export interface Bases {
  relative(src: string, dst: string, seq: number, ack: number, flags: number): [number, number];
}

/**
 * Relative sequence numbers, like tcpdump without -S: for each connection,
 * the first segment with ACK set is printed as is and fixes the bases (its
 * sender's base is its seq, the other side's is its ack - 1), and so does
 * any segment with SYN and ACK set (a retransmitted SYN-ACK); later segments
 * with ACK set print seq and ack minus those bases.
 */
export class SequenceBases implements Bases {
  private readonly bases = new Map<string, Map<string, number>>();

  /** Returns [seq, ack] to print for a segment from `src` to `dst` ("ip.port"). */
  relative(src: string, dst: string, seq: number, ack: number, flags: number): [number, number] {
    if (!(flags & ACK)) return [seq, ack];
    const key = [src, dst].sort().join(" ");
    const conn = this.bases.get(key);
    if (!conn || flags & SYN) {
      this.bases.set(key, new Map([[src, seq], [dst, (ack - 1) >>> 0]]));
      return [seq, ack];
    }
    return [(seq - conn.get(src)!) >>> 0, (ack - conn.get(dst)!) >>> 0];
  }
}

/** "Flags [S.], seq 0, ack 1, win 65160, options [...], length 0" for a segment (`s` starts at the TCP header). */
export function tcpText(s: Uint8Array, src: string, dst: string, bases: Bases, payloadText: typeof tcpPayloadText = tcpPayloadText): string {
  if (s.length < 20) return "[|tcp]";
  const flags = s[13]!;
  const dataOffset = (s[12]! >> 4) * 4;
  const length = s.length - dataOffset;
  const [seq, ack] = bases.relative(src, dst, u32(s, 4), u32(s, 8), flags);
  const names = FLAGS.filter(([bit]) => flags & bit).map(([, c]) => c).join("");
  let text = `Flags [${names || "none"}]`;
  if (length > 0 || flags & SYN_FIN_RST) text += `, seq ${seq}${length > 0 ? `:${(seq + length) >>> 0}` : ""}`;
  if (flags & ACK) text += `, ack ${ack}`;
  text += `, win ${u16(s, 14)}`;
  if (flags & 0x20) text += `, urg ${u16(s, 18)}`;
  if (dataOffset > 20) text += `, options [${tcpOptions(s.subarray(20, dataOffset))}]`;
  return `${text}, length ${length}${payloadText(s.subarray(dataOffset), u16(s, 0), u16(s, 2))}`;
}
