/** ARP for Ethernet and IPv4 (RFC 826), as tcpdump prints it. */
import { ipv4, mac, u16 } from "./bytes.ts";

const ZERO_MAC = "00:00:00:00:00:00";

/** "Request who-has <target ip> [(<target mac>)] tell <sender ip>" or "Reply <sender ip> is-at <sender mac>", then ", length N". */
export function arpText(p: Uint8Array): string {
  if (p.length < 28 || u16(p, 0) !== 1 || u16(p, 2) !== 0x0800 || p[4] !== 6 || p[5] !== 4) return `arp-#${p.length >= 8 ? u16(p, 6) : "?"}, length ${p.length}`;
  const op = u16(p, 6);
  const [sha, spa, tha, tpa] = [mac(p, 8), ipv4(p, 14), mac(p, 18), ipv4(p, 24)];
  if (op === 1) return `Request who-has ${tpa}${tha !== ZERO_MAC ? ` (${tha})` : ""} tell ${spa}, length ${p.length}`;
  if (op === 2) return `Reply ${spa} is-at ${sha}, length ${p.length}`;
  return `arp-#${op} for proto type 0x0800, length ${p.length}`;
}
