/**
 * The DNS wire format (RFC 1035 §4.1): a 12-byte header, then the question,
 * answer, authority and additional sections. Names are sequences of labels,
 * and may be compressed with pointers to an earlier occurrence (§4.1.4).
 */

/** A domain name as its labels, without the root: ["www", "example", "test"]. */
export type Name = string[];

/** The key two names compare by: labels are case-insensitive (RFC 1035 §2.3.3, RFC 4343). */
export function nameKey(name: Name): string {
  return name.join(".").toLowerCase();
}

export function showName(name: Name): string {
  return `${name.join(".")}.`;
}

/** True when `name` is `zone` or below it. */
export function isAtOrBelow(name: Name, zone: Name): boolean {
  if (name.length < zone.length) return false;
  return nameKey(name.slice(name.length - zone.length)) === nameKey(zone);
}

/** Why a message could not be read: the server answers FORMERR. */
export class FormatError extends Error {}

const MAX_NAME = 255;

/** Reads a message front to back; every read is bounds-checked. */
export class Reader {
  offset = 0;

  constructor(readonly bytes: Uint8Array) {}

  private need(n: number): void {
    if (this.offset + n > this.bytes.length) throw new FormatError(`message ends at byte ${this.bytes.length}, needed ${n} more at ${this.offset}`);
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  u16(): number {
    return (this.u8() << 8) | this.u8();
  }

  u32(): number {
    return ((this.u16() << 16) >>> 0) + this.u16();
  }

  take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /**
   * A name, following compression pointers. A pointer must point strictly
   * before the label that holds it (§4.1.4: "a prior occurrence"), so a
   * pointer loop or a pointer past the end is a FormatError, never a hang.
   */
  /** The longest name on the wire (RFC 1035 §3.1); with pointsBack, what makes a pointer loop end. */
  protected readonly maxName: number = MAX_NAME;

  /** A pointer must point before itself, to "a prior occurrence" (RFC 1035 §4.1.4). */
  protected pointsBack(target: number, pointerAt: number): boolean {
    return target < pointerAt;
  }

  /** Only labels (00) and pointers (11) are in use: 01 and 10 are reserved (RFC 1035 §4.1.4; RFC 6891 §5 retired the extended label type). */
  protected labelTypeKnown(_lengthByte: number): boolean {
    return false;
  }

  name(): Name {
    const labels: string[] = [];
    let pos = this.offset;
    let resume: number | undefined;
    let length = 1;
    for (;;) {
      if (pos >= this.bytes.length) throw new FormatError(`name runs past the end of the message (byte ${pos})`);
      const len = this.bytes[pos]!;
      if ((len & 0xc0) === 0xc0) {
        if (pos + 1 >= this.bytes.length) throw new FormatError(`pointer at byte ${pos} is cut short`);
        const target = ((len & 0x3f) << 8) | this.bytes[pos + 1]!;
        if (!this.pointsBack(target, pos)) throw new FormatError(`pointer at byte ${pos} points forward or at itself (to ${target})`);
        resume ??= pos + 2;
        pos = target;
        continue;
      }
      if ((len & 0xc0) !== 0 && !this.labelTypeKnown(len)) throw new FormatError(`label type 0x${(len & 0xc0).toString(16)} at byte ${pos} is not supported`);
      if (len === 0) {
        this.offset = resume ?? pos + 1;
        return labels;
      }
      length += len + 1;
      if (length > this.maxName) throw new FormatError(`name longer than ${this.maxName} bytes`);
      if (pos + 1 + len > this.bytes.length) throw new FormatError(`label at byte ${pos} runs past the end`);
      labels.push(Buffer.from(this.bytes.subarray(pos + 1, pos + 1 + len)).toString("latin1"));
      pos += 1 + len;
    }
  }
}

/** Builds a message; names are compressed against the ones already written unless compression is off. */
export class Writer {
  private buf = new Uint8Array(512);
  length = 0;
  private readonly offsets = new Map<string, number>();

  constructor(readonly compress = true) {}

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.length++] = v & 0xff;
  }

  u16(v: number): void {
    this.u8(v >> 8);
    this.u8(v);
  }

  u32(v: number): void {
    this.u16(v >>> 16);
    this.u16(v & 0xffff);
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Overwrites a 16-bit field written earlier (an RDLENGTH, a count). */
  patch16(at: number, v: number): void {
    this.buf[at] = (v >> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
  }

  /** What two names compress by: case-insensitively (RFC 1035 §2.3.3). */
  protected key(labels: Name): string {
    return nameKey(labels);
  }

  /** A name inside record data (NS, CNAME, PTR, MX, SOA): compressed like any other. */
  dataName(name: Name): void {
    this.name(name);
  }

  name(name: Name, compressible = true): void {
    for (let i = 0; i < name.length; i++) {
      const key = this.key(name.slice(i));
      const at = this.offsets.get(key);
      if (at !== undefined && compressible && this.compress) {
        this.u16(0xc000 | at);
        return;
      }
      if (this.length < 0x4000) this.offsets.set(key, this.length);
      const label = Buffer.from(name[i]!, "latin1");
      this.u8(label.length);
      this.bytes(label);
    }
    this.u8(0);
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
