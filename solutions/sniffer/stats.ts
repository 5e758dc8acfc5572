/**
 * Statistics of a capture file, as tshark 4.0 prints them with -q:
 *
 * `-z conv,tcp`: one row per TCP conversation (a pair of address:port ends),
 * address A being the source of its first frame; the frames and bytes B sent
 * to A ("<-"), A sent to B ("->"), both; its first frame's time relative to
 * the file's first frame, and the time from its first frame to its last.
 * Rows in order of total frames, most first; equal totals in order of their
 * first frame. Byte counts as Wireshark's format_size prints them: "N bytes"
 * below 10,000, then whole kB (1000 bytes, rounded down), MB, GB, TB.
 *
 * `-z io,stat,<interval>`: the frames and bytes of every frame in each
 * interval since the first frame (an interval holds its start, not its end),
 * in a table whose column widths follow the values, laid out as tshark 4.0's
 * tap-iostat does (including its quirks: the duration printed as seconds and
 * microseconds padded with spaces when the interval is whole seconds, the
 * last row ending at the duration, "Dur" for whole-second intervals; a
 * capture of zero duration has no rows).
 */
import { tcpSegment } from "./follow.ts";
import type { Record } from "./pcap.ts";

export interface StatsOptions {
  /** Sort the conversations by total frames (tshark) or leave them in order of their first frame (a fixture's mistake). */
  unsorted?: boolean;
  /** A row per direction: the ends' order part of the conversation's key (a fixture's mistake). */
  rowPerDirection?: boolean;
  /** Count a frame's bytes without its 14-byte Ethernet header (a fixture's mistake). */
  bytesWithoutLinkHeader?: boolean;
  /** The ends in columns of 20 characters, as tshark before 3.0 (a fixture's mistake). */
  narrowNames?: boolean;
  /** Print nothing for a capture without TCP conversations (a fixture's mistake). */
  emptyNothing?: boolean;
  /** Count A's frames under "<-" and B's under "->" (a fixture's mistake). */
  swapDirections?: boolean;
  /** Conversations with the same total frames in the reverse order of their first frame (a fixture's mistake). */
  tiesReversed?: boolean;
  /** A conversation's duration from the file's first frame instead of its own (a fixture's mistake). */
  durationFromFileStart?: boolean;
  /** Intervals counted from the whole second the first frame is in, not from the first frame (a fixture's mistake). */
  alignedToClock?: boolean;
  /** One row even for a capture of zero duration (a fixture's mistake). */
  rowForZeroDuration?: boolean;
  /** The last row of a fractional interval ending a whole interval after its start, not at the duration (a fixture's mistake). */
  lastRowFullInterval?: boolean;
  /** Times of a fractional interval with six decimals instead of the interval's own (a fixture's mistake). */
  sixDecimals?: boolean;
  /** Count a conversation's frames as one direction, whichever way they went (a fixture's mistake). */
  oneDirection?: boolean;
  /** Print byte counts as plain numbers of bytes, never kB (a fixture's mistake). */
  plainBytes?: boolean;
  /** Relative start counted from the file's first TCP frame instead of its first frame (a fixture's mistake). */
  startFromFirstTcp?: boolean;
  /** Address A the end whose text sorts first instead of the first frame's source (a fixture's mistake). */
  sortedEnds?: boolean;
  /** A frame exactly on an interval's end counted in that interval, not the next (a fixture's mistake). */
  edgeInEarlier?: boolean;
  /** Fixed column widths (Frames 6, Bytes 5), whatever the values (a fixture's mistake). */
  fixedWidths?: boolean;
  /** Count only TCP frames in io,stat (a fixture's mistake). */
  ioTcpOnly?: boolean;
  /** Print the duration with zeros, not spaces, before the microseconds (a fixture's mistake). */
  durationZeroPadded?: boolean;
  /** Print the last whole-second row's end as a number instead of "Dur" (a fixture's mistake). */
  lastRowNumbered?: boolean;
}

/** A frame's time relative to the first frame of the file, in microseconds. */
function relativeUs(records: Record[]): number[] {
  const first = records[0];
  return records.map((r) => (first ? (r.sec - first.sec) * 1e6 + (r.usec - first.usec) : 0));
}

/** Wireshark's format_size with bytes as the unit: "N bytes" under 10 kB, then a whole number of kB, MB, GB or TB (powers of 1000, rounded down). */
export function formatSize(n: number, plain = false): string {
  if (plain) return `${n} bytes`;
  for (const [power, prefix] of [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]] as const) {
    if (Math.floor(n / power) >= 10) return `${Math.floor(n / power)} ${prefix}B`;
  }
  return `${n} bytes`;
}

/**
 * printf's "%.<digits>f": the double's exact decimal value rounded half to
 * even (glibc), where toFixed rounds a tie up. A duration is a difference of
 * two doubles (seconds), as Wireshark computes it.
 */
export function printfFixed(x: number, digits: number): string {
  const exact = Math.abs(x).toFixed(100);
  const [whole, frac] = exact.split(".") as [string, string];
  const kept = BigInt(whole + frac.slice(0, digits));
  const rest = frac.slice(digits);
  const half = rest[0]! > "5" || (rest[0] === "5" && /[1-9]/.test(rest.slice(1))) || (rest[0] === "5" && kept % 2n === 1n);
  const n = (kept + (half ? 1n : 0n)).toString().padStart(digits + 1, "0");
  const text = digits === 0 ? n : `${n.slice(0, -digits)}.${n.slice(-digits)}`;
  return x < 0 ? `-${text}` : text;
}

const RULE80 = "=".repeat(80);
const padEnd = (s: string, n: number) => s.padEnd(n);
const padStart = (s: string | number, n: number) => String(s).padStart(n);

/** `-z conv,tcp`: tshark's TCP conversation table for these records. */
export function convTcpText(records: Record[], opts: StatsOptions = {}): string {
  const rel = relativeUs(records);
  const firstTcp = records.findIndex((r) => tcpSegment(r) !== undefined);
  const offset = opts.startFromFirstTcp && firstTcp > 0 ? rel[firstTcp]! : 0;
  interface Conv {
    a: string;
    b: string;
    /** Frames and bytes from A to B (tx) and from B to A (rx). */
    tx: [number, number];
    rx: [number, number];
    start: number;
    stop: number;
  }
  const convs = new Map<string, Conv>();
  records.forEach((r, i) => {
    const s = tcpSegment(r);
    if (!s) return;
    const key = opts.rowPerDirection ? `${s.src} ${s.dst}` : [s.src, s.dst].sort().join(" ");
    let c = convs.get(key);
    if (!c) {
      const [a, b] = opts.sortedEnds ? [s.src, s.dst].sort() : [s.src, s.dst];
      convs.set(key, (c = { a: a!, b: b!, tx: [0, 0], rx: [0, 0], start: rel[i]!, stop: rel[i]! }));
    }
    const dir = (s.src === c.a) !== (opts.swapDirections === true) || opts.oneDirection ? c.tx : c.rx;
    dir[0]++;
    dir[1] += r.length - (opts.bytesWithoutLinkHeader ? 14 : 0);
    c.start = Math.min(c.start, rel[i]!);
    c.stop = Math.max(c.stop, rel[i]!);
  });
  const list = [...convs.values()];
  if (list.length === 0 && opts.emptyNothing) return "";
  const total = (c: Conv) => c.tx[0] + c.rx[0];
  // A stable sort: equal totals keep the order of their first frame.
  if (opts.tiesReversed) list.reverse();
  if (!opts.unsorted) list.sort((x, y) => total(y) - total(x));
  const pad = " ".repeat(12);
  const lines = [
    RULE80,
    "TCP Conversations",
    "Filter:<No Filter>",
    `${pad}                                               |       <-      | |       ->      | |     Total     |    Relative    |   Duration   |`,
    `${pad}                                               | Frames  Bytes | | Frames  Bytes | | Frames  Bytes |      Start     |              |`,
  ];
  const size = (n: number) => padEnd(formatSize(n, opts.plainBytes), 9);
  for (const c of list) {
    const name = (end: string) => end.replace(/^\[(.*)\]:/, "$1:");
    lines.push(
      `${padEnd(name(c.a), opts.narrowNames ? 20 : 26)} <-> ${padEnd(name(c.b), opts.narrowNames ? 20 : 26)}` +
        `  ${padStart(c.rx[0], 6)} ${size(c.rx[1])}  ${padStart(c.tx[0], 6)} ${size(c.tx[1])}  ${padStart(total(c), 6)} ${size(c.rx[1] + c.tx[1])}  ` +
        `${padStart(printfFixed((c.start - offset) / 1e6, 9), 14)}   ${padStart(printfFixed(c.stop / 1e6 - (opts.durationFromFileStart ? 0 : c.start) / 1e6, 4), 12)}`,
    );
  }
  lines.push(RULE80);
  return `${lines.join("\n")}\n`;
}

/** The number of decimal digits of n (at least 1, at most `max`), as tap-iostat's magnitude(). */
function magnitude(n: number, max: number): number {
  let mag = 0;
  for (let i = 0; i < max; i++) {
    mag++;
    n = Math.floor(n / 10);
    if (n === 0) break;
  }
  return mag;
}

/** A label centred in a column of `width` characters and its padding, as tap-iostat's printcenter() (numpad 1). */
function center(label: string, width: number): string {
  const diff = width - label.length;
  const len = 6 - (Math.trunc(diff / 2) + 1);
  if (len > 0 && len < 6) {
    const sp = " ".repeat(6 - len);
    return diff % 2 === 0 ? `${sp}${label}${sp}|` : `${sp} ${label}${sp}|`;
  }
  if (len > 0 && len <= 15) return `${label}|`;
  return "";
}

const MAXINT32 = 2 ** 31 - 1;

/** The interval (in microseconds) and its precision (digits after the point) of `-z io,stat,<interval>`, or undefined when it is not a number. */
export function parseInterval(text: string): { us: number; prec: number } | undefined {
  if (!/^\d*\.?\d+$|^\d+\.$/.test(text)) return undefined;
  const seconds = Number(text);
  if (seconds === 0) return { us: MAXINT32, prec: 0 };
  const us = Math.floor(seconds * 1e6 + 0.5);
  if (us < 1) return undefined;
  let prec = 6;
  for (let i = 10; i < 10_000_000; i *= 10) {
    if (us % i > 0) break;
    prec--;
  }
  return { us, prec };
}

/** `-z io,stat,<interval>`: tshark 4.0's table of frames and bytes per interval. */
export function ioStatText(records: Record[], interval: { us: number; prec: number }, opts: StatsOptions = {}): string {
  const rel = relativeUs(records);
  // Each frame in the interval holding its time (the intervals only move forward: a frame earlier than the current one counts in it).
  const items: { frames: number; bytes: number }[] = [{ frames: 0, bytes: 0 }];
  let current = 0;
  records.forEach((r, i) => {
    if (opts.ioTcpOnly && !tcpSegment(r)) return;
    const t = rel[i]! + (opts.alignedToClock ? records[0]!.usec : 0);
    const at = opts.edgeInEarlier ? Math.max(0, Math.ceil(t / interval.us) - 1) : Math.floor(t / interval.us);
    while (current < at) items[++current] = { frames: 0, bytes: 0 };
    items[current]!.frames++;
    items[current]!.bytes += r.length;
  });
  const maxFrames = Math.max(...items.map((it) => it.frames));
  const maxBytes = Math.max(...items.map((it) => it.bytes));
  let duration = rel.length > 0 ? Math.max(...rel) : 0;

  let userInterval = interval.us;
  let iv: number;
  if (userInterval > duration || userInterval === MAXINT32) {
    iv = duration;
    userInterval = MAXINT32;
  } else iv = userInterval;
  const durSecsOrig = Math.floor(duration / 1e6);
  const durUsOrig = duration % 1e6;
  let durSecs = durSecsOrig;
  let durUs = durUsOrig;
  // magPre: the duration's digits before rounding (the formats use it); mag: after.
  const magPre = magnitude(durSecs, 5);
  let mag = magPre;
  const invlMag = magnitude(Math.floor(iv / 1e6), 5);
  let prec: number;
  let border: number;
  if (iv === duration) {
    prec = mag >= 2 ? 1 : mag === 1 ? 3 : 6;
    border = 30 + mag + (prec === 0 ? 0 : prec + 1);
  } else {
    prec = opts.sixDecimals && interval.prec > 0 ? 6 : interval.prec;
    border = 24 + invlMag + (prec === 0 ? 0 : prec + 1);
  }
  const dv = 1e6 / 10 ** prec;
  if (duration % dv > 5 * (dv / 10)) {
    duration = Math.floor((duration + 5 * (dv / 10)) / dv) * dv;
    durSecs = Math.floor(duration / 1e6);
    durUs = duration % 1e6;
    mag = magnitude(durSecs, 5);
  }
  if (userInterval === MAXINT32) iv = duration;
  const invlColW = Math.max(prec === 0 ? 2 * mag + 8 : 2 * mag + 2 * prec + 10, 12);
  border = Math.max(border, invlColW);
  const fr = opts.fixedWidths ? 6 : Math.max(6, magnitude(maxFrames, 15));
  const val = opts.fixedWidths ? 5 : Math.max(5, magnitude(maxBytes, 15));
  const tabrowW = invlColW + fr + 3 + val + 3;
  border = Math.max(border, tabrowW);
  if (26 > border) border = 26;
  if (border - tabrowW === 1) border++;

  const sp = (n: number) => " ".repeat(Math.max(0, n));
  // A time in the duration's format: seconds (magPre wide), then the fraction to `prec` digits.
  const time = (us: number) => (prec === 0 ? padStart(Math.floor(us / 1e6), magPre) : `${padStart(Math.floor(us / 1e6), magPre)}.${String(Math.floor((us % 1e6) / dv)).padStart(prec, "0")}`);
  const out: string[] = ["", "=".repeat(border), `| IO Statistics${sp(border - 16)}|`, `|${sp(border - 2)}|`];
  if (prec === 0) {
    const micro = opts.durationZeroPadded ? String(durUsOrig).padStart(6, "0") : padStart(durUsOrig, 6);
    out.push(`| Duration: ${padStart(durSecsOrig, magPre)}.${micro} secs${sp(border - 25 - mag)}|`);
    out.push(`| Interval: ${padStart(Math.floor(iv / 1e6), magPre)} secs${sp(border - 18 - mag)}|`);
  } else {
    out.push(`| Duration: ${padStart(durSecs, magPre)}.${String(Math.floor(durUs / dv)).padStart(prec, "0")} secs${sp(border - 19 - mag - prec)}|`);
    out.push(`| Interval: ${time(iv)} secs${sp(border - 19 - mag - prec)}|`);
  }
  out.push(`|${sp(border - 2)}|`, `| Col 1: Frames and bytes${sp(border - 26)}|`, `|-${"-".repeat(border - 3)}|`);
  const filler = tabrowW < border ? `${sp(border - tabrowW - 1)}|` : "";
  out.push(`|${sp(invlColW - 2)}|1 ${sp(fr + val + 3)}|${filler}`);
  out.push(`| Interval${sp(invlColW - 11)}|${center("Frames", fr)}${center("Bytes", val)}${filler}`);
  out.push(`|-${"-".repeat(tabrowW - 3)}|${filler}`);
  const rows = (iv === 0 || duration === 0) && !opts.rowForZeroDuration ? 0 : iv === 0 ? 1 : Math.floor(duration / iv) + (duration % iv > 0 ? 1 : 0);
  for (let i = 0, t = 0; i < rows; i++, t += iv) {
    const last = i === rows - 1;
    const end = last && !(opts.lastRowFullInterval && prec > 0) ? duration : t + iv;
    let head: string;
    if (prec === 0) {
      const lead = mag === 1 ? "|  " : "| ";
      if (last && !opts.lastRowNumbered) head = `${lead}${time(t)} <> ${"Dur".padEnd(mag >= 3 ? mag + 1 : 3)}|`;
      else head = `${lead}${time(t)} <> ${time(end)}${mag === 1 ? "  |" : " |"}`;
    } else head = `| ${time(t)} <> ${time(end)} |`;
    const it = items[i] ?? { frames: 0, bytes: 0 };
    out.push(`${head} ${padStart(it.frames, fr)} | ${padStart(it.bytes, val)} |${filler}`);
  }
  out.push("=".repeat(border));
  return `${out.join("\n")}\n`;
}
