/** tcpdump's -x/-X dumps: 16 bytes a line, "\t0x<offset>:  " then 2-byte hex groups, and with -X the bytes as ASCII; and -A's ASCII alone. */

export interface HexStyle {
  /** Also print the bytes as ASCII (-X). */
  ascii: boolean;
  /** Whether a byte shows as itself in the ASCII column: tcpdump shows 0x21-0x7e (not the space). */
  printable?: (b: number) => boolean;
  /** Pad the last line's hex column so its ASCII lines up (a fixture turns this off). */
  align?: boolean;
}

const graphic = (b: number) => b > 0x20 && b < 0x7f;

export function hexDump(bytes: Uint8Array, style: HexStyle): string {
  const printable = style.printable ?? graphic;
  let out = "";
  for (let at = 0; at < bytes.length; at += 16) {
    const line = bytes.subarray(at, at + 16);
    const groups: string[] = [];
    for (let i = 0; i < line.length; i += 2) groups.push([...line.subarray(i, i + 2)].map((b) => b.toString(16).padStart(2, "0")).join(""));
    let hex = groups.join(" ");
    out += `\n\t0x${at.toString(16).padStart(4, "0")}:  `;
    if (!style.ascii) {
      out += hex;
      continue;
    }
    if (style.align !== false) hex = hex.padEnd(39);
    out += `${hex}  ${[...line].map((b) => (printable(b) ? String.fromCharCode(b) : ".")).join("")}`;
  }
  return out;
}

/**
 * -A: a newline, then the bytes as text: printable ASCII, space, tab and LF
 * as they are, other bytes as "."; a CR is left out before a LF and among
 * the last two bytes (as tcpdump does), else it is a ".".
 */
export function asciiDump(bytes: Uint8Array): string {
  let out = "\n";
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    const left = bytes.length - i - 1;
    if (c === 0x0d) {
      if (left > 1 && bytes[i + 1] !== 0x0a) out += ".";
    } else out += graphic(c) || c === 0x20 || c === 0x09 || c === 0x0a ? String.fromCharCode(c) : ".";
  }
  return out;
}
