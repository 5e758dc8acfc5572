/**
 * HTTP on TCP port 80 or 8080, as tcpdump prints it without -v: "HTTP", and
 * when the payload starts like a request line (a method) or a status line (a
 * 3-digit code as its second word), ": " and that first line.
 */

/** The methods tcpdump knows (HTTP's and WebDAV's), compared without regard to case. */
export const METHODS = new Set([
  "GET", "PUT", "COPY", "HEAD", "LOCK", "MOVE", "POLL", "POST", "BCOPY", "BMOVE", "MKCOL", "TRACE", "LABEL", "MERGE", "DELETE", "SEARCH", "UNLOCK",
  "REPORT", "UPDATE", "NOTIFY", "BDELETE", "CONNECT", "OPTIONS", "CHECKIN", "PROPFIND", "CHECKOUT", "CCM_POST", "SUBSCRIBE", "PROPPATCH", "BPROPFIND",
  "BPROPPATCH", "UNCHECKOUT", "MKACTIVITY", "MKWORKSPACE", "UNSUBSCRIBE", "RPC_CONNECT", "VERSION-CONTROL", "BASELINE-CONTROL",
]);

export const HTTP_PORTS = [80, 8080];

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const printable = (c: number) => c >= 0x20 && c <= 0x7e;

/**
 * The word at `at` (printable ASCII up to a space, tab, CR or LF) and where
 * the next one starts (after spaces; a tab or anything unprintable stops
 * there). Undefined when there is no word, or it holds a byte that is not
 * printable ASCII, or it is longer than 128 characters.
 */
export function word(p: Uint8Array, at: number): { text: string; next: number } | undefined {
  let i = at;
  for (; i < p.length; i++) {
    const c = p[i]!;
    if (c === SPACE || c === TAB || c === CR || c === LF) break;
    if (!printable(c) || i - at >= 128) return undefined;
  }
  if (i === at) return undefined;
  const text = Buffer.from(p.subarray(at, i)).toString("latin1");
  while (i < p.length && p[i] === SPACE) i++;
  return { text, next: i };
}

/**
 * The first line (": <line>"): up to LF or CR LF, printable ASCII and tabs.
 * Nothing when it holds another byte or a CR not followed by LF (a CR as the
 * last byte too); " [|http]" after it when the payload ends before a line end.
 */
export function firstLine(p: Uint8Array): string {
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    const line = () => `: ${Buffer.from(p.subarray(0, i)).toString("latin1")}`;
    if (c === LF) return line();
    if (c === CR) return i + 1 < p.length && p[i + 1] === LF ? line() : "";
    if (!printable(c) && c !== TAB) return "";
  }
  return `: ${Buffer.from(p).toString("latin1")} [|http]`;
}

/** Whether the payload starts like a request line: its first word a method. */
export function requestLine(p: Uint8Array): boolean {
  const first = word(p, 0);
  return first !== undefined && METHODS.has(first.text.toUpperCase());
}

/** Whether the payload starts like a status line: its second word 3 digits. */
export function statusLine(p: Uint8Array): boolean {
  const first = word(p, 0);
  const second = first && word(p, first.next);
  return second !== undefined && /^\d{3}$/.test(second.text);
}

export interface HttpStyle {
  /** Whether the payload is a request or response to print the first line of (fixtures' mistakes). */
  looks?: (p: Uint8Array) => boolean;
  /** The first line's text, ": <line>" (fixtures' mistakes). */
  line?: (p: Uint8Array) => string;
}

/** The text after a TCP line's "length <n>" for a payload on an HTTP port: ": HTTP" and maybe ": <first line>". */
export function httpText(p: Uint8Array, style: HttpStyle = {}): string {
  const looks = style.looks ?? ((q) => requestLine(q) || statusLine(q));
  return `: HTTP${looks(p) ? (style.line ?? firstLine)(p) : ""}`;
}

/** What follows "length <n>" for a TCP payload between these ports: HTTP's text on port 80 or 8080, else nothing. */
export function tcpPayloadText(payload: Uint8Array, srcPort: number, dstPort: number): string {
  return payload.length > 0 && (HTTP_PORTS.includes(srcPort) || HTTP_PORTS.includes(dstPort)) ? httpText(payload) : "";
}
