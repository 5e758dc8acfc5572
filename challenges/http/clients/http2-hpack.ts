/**
 * HPACK (RFC 7541) for the HTTP/2 tests, independent of any solution: a
 * decoder that keeps the dynamic table of the server's encoder (so the
 * tests read every response header block the way a real client does), and an
 * encoder for requests that can use each representation on purpose —
 * literals with or without indexing, Huffman-coded or not, indexed fields,
 * dynamic table size updates.
 */

/** RFC 7541 Appendix B, typed in from the RFC: [code as hex aligned to LSB, length in bits] for symbols 0–255 and EOS (256). */
// prettier-ignore
const HUFFMAN: [number, number][] = [
  [0x1ff8, 13], [0x7fffd8, 23], [0xfffffe2, 28], [0xfffffe3, 28], [0xfffffe4, 28], [0xfffffe5, 28], [0xfffffe6, 28], [0xfffffe7, 28],
  [0xfffffe8, 28], [0xffffea, 24], [0x3ffffffc, 30], [0xfffffe9, 28], [0xfffffea, 28], [0x3ffffffd, 30], [0xfffffeb, 28], [0xfffffec, 28],
  [0xfffffed, 28], [0xfffffee, 28], [0xfffffef, 28], [0xffffff0, 28], [0xffffff1, 28], [0xffffff2, 28], [0x3ffffffe, 30], [0xffffff3, 28],
  [0xffffff4, 28], [0xffffff5, 28], [0xffffff6, 28], [0xffffff7, 28], [0xffffff8, 28], [0xffffff9, 28], [0xffffffa, 28], [0xffffffb, 28],
  [0x14, 6], [0x3f8, 10], [0x3f9, 10], [0xffa, 12], [0x1ff9, 13], [0x15, 6], [0xf8, 8], [0x7fa, 11],
  [0x3fa, 10], [0x3fb, 10], [0xf9, 8], [0x7fb, 11], [0xfa, 8], [0x16, 6], [0x17, 6], [0x18, 6],
  [0x0, 5], [0x1, 5], [0x2, 5], [0x19, 6], [0x1a, 6], [0x1b, 6], [0x1c, 6], [0x1d, 6],
  [0x1e, 6], [0x1f, 6], [0x5c, 7], [0xfb, 8], [0x7ffc, 15], [0x20, 6], [0xffb, 12], [0x3fc, 10],
  [0x1ffa, 13], [0x21, 6], [0x5d, 7], [0x5e, 7], [0x5f, 7], [0x60, 7], [0x61, 7], [0x62, 7],
  [0x63, 7], [0x64, 7], [0x65, 7], [0x66, 7], [0x67, 7], [0x68, 7], [0x69, 7], [0x6a, 7],
  [0x6b, 7], [0x6c, 7], [0x6d, 7], [0x6e, 7], [0x6f, 7], [0x70, 7], [0x71, 7], [0x72, 7],
  [0xfc, 8], [0x73, 7], [0xfd, 8], [0x1ffb, 13], [0x7fff0, 19], [0x1ffc, 13], [0x3ffc, 14], [0x22, 6],
  [0x7ffd, 15], [0x3, 5], [0x23, 6], [0x4, 5], [0x24, 6], [0x5, 5], [0x25, 6], [0x26, 6],
  [0x27, 6], [0x6, 5], [0x74, 7], [0x75, 7], [0x28, 6], [0x29, 6], [0x2a, 6], [0x7, 5],
  [0x2b, 6], [0x76, 7], [0x2c, 6], [0x8, 5], [0x9, 5], [0x2d, 6], [0x77, 7], [0x78, 7],
  [0x79, 7], [0x7a, 7], [0x7b, 7], [0x7ffe, 15], [0x7fc, 11], [0x3ffd, 14], [0x1ffd, 13], [0xffffffc, 28],
  [0xfffe6, 20], [0x3fffd2, 22], [0xfffe7, 20], [0xfffe8, 20], [0x3fffd3, 22], [0x3fffd4, 22], [0x3fffd5, 22], [0x7fffd9, 23],
  [0x3fffd6, 22], [0x7fffda, 23], [0x7fffdb, 23], [0x7fffdc, 23], [0x7fffdd, 23], [0x7fffde, 23], [0xffffeb, 24], [0x7fffdf, 23],
  [0xffffec, 24], [0xffffed, 24], [0x3fffd7, 22], [0x7fffe0, 23], [0xffffee, 24], [0x7fffe1, 23], [0x7fffe2, 23], [0x7fffe3, 23],
  [0x7fffe4, 23], [0x1fffdc, 21], [0x3fffd8, 22], [0x7fffe5, 23], [0x3fffd9, 22], [0x7fffe6, 23], [0x7fffe7, 23], [0xffffef, 24],
  [0x3fffda, 22], [0x1fffdd, 21], [0xfffe9, 20], [0x3fffdb, 22], [0x3fffdc, 22], [0x7fffe8, 23], [0x7fffe9, 23], [0x1fffde, 21],
  [0x7fffea, 23], [0x3fffdd, 22], [0x3fffde, 22], [0xfffff0, 24], [0x1fffdf, 21], [0x3fffdf, 22], [0x7fffeb, 23], [0x7fffec, 23],
  [0x1fffe0, 21], [0x1fffe1, 21], [0x3fffe0, 22], [0x1fffe2, 21], [0x7fffed, 23], [0x3fffe1, 22], [0x7fffee, 23], [0x7fffef, 23],
  [0xfffea, 20], [0x3fffe2, 22], [0x3fffe3, 22], [0x3fffe4, 22], [0x7ffff0, 23], [0x3fffe5, 22], [0x3fffe6, 22], [0x7ffff1, 23],
  [0x3ffffe0, 26], [0x3ffffe1, 26], [0xfffeb, 20], [0x7fff1, 19], [0x3fffe7, 22], [0x7ffff2, 23], [0x3fffe8, 22], [0x1ffffec, 25],
  [0x3ffffe2, 26], [0x3ffffe3, 26], [0x3ffffe4, 26], [0x7ffffde, 27], [0x7ffffdf, 27], [0x3ffffe5, 26], [0xfffff1, 24], [0x1ffffed, 25],
  [0x7fff2, 19], [0x1fffe3, 21], [0x3ffffe6, 26], [0x7ffffe0, 27], [0x7ffffe1, 27], [0x3ffffe7, 26], [0x7ffffe2, 27], [0xfffff2, 24],
  [0x1fffe4, 21], [0x1fffe5, 21], [0x3ffffe8, 26], [0x3ffffe9, 26], [0xffffffd, 28], [0x7ffffe3, 27], [0x7ffffe4, 27], [0x7ffffe5, 27],
  [0xfffec, 20], [0xfffff3, 24], [0xfffed, 20], [0x1fffe6, 21], [0x3fffe9, 22], [0x1fffe7, 21], [0x1fffe8, 21], [0x7ffff3, 23],
  [0x3fffea, 22], [0x3fffeb, 22], [0x1ffffee, 25], [0x1ffffef, 25], [0xfffff4, 24], [0xfffff5, 24], [0x3ffffea, 26], [0x7ffff4, 23],
  [0x3ffffeb, 26], [0x7ffffe6, 27], [0x3ffffec, 26], [0x3ffffed, 26], [0x7ffffe7, 27], [0x7ffffe8, 27], [0x7ffffe9, 27], [0x7ffffea, 27],
  [0x7ffffeb, 27], [0xffffffe, 28], [0x7ffffec, 27], [0x7ffffed, 27], [0x7ffffee, 27], [0x7ffffef, 27], [0x7fffff0, 27], [0x3ffffee, 26],
  [0x3fffffff, 30],
];

/** code length → (code → symbol): decoding reads bits until they form a code of the current length. */
const BY_LENGTH = new Map<number, Map<number, number>>();
for (const [sym, [code, len]] of HUFFMAN.entries()) {
  if (!BY_LENGTH.has(len)) BY_LENGTH.set(len, new Map());
  BY_LENGTH.get(len)!.set(code, sym);
}

export function huffmanDecode(data: Uint8Array): Buffer {
  const out: number[] = [];
  let code = 0;
  let len = 0;
  for (const byte of data) {
    for (let b = 7; b >= 0; b--) {
      code = code * 2 + ((byte >> b) & 1);
      len++;
      const sym = BY_LENGTH.get(len)?.get(code);
      if (sym === undefined) {
        if (len > 30) throw new Error("not a Huffman code");
        continue;
      }
      if (sym === 256) throw new Error("the EOS symbol inside a Huffman-coded string");
      out.push(sym);
      code = 0;
      len = 0;
    }
  }
  // §5.2: padding is at most 7 bits, all ones (the start of EOS).
  if (len > 7 || code !== 2 ** len - 1) throw new Error("bad Huffman padding");
  return Buffer.from(out);
}

export function huffmanEncode(data: Uint8Array): Buffer {
  let bits = "";
  for (const byte of data) {
    const [code, len] = HUFFMAN[byte]!;
    bits += code.toString(2).padStart(len, "0");
  }
  bits += "1".repeat((8 - (bits.length % 8)) % 8);
  return Buffer.from(bits.match(/.{8}/g)?.map((b) => parseInt(b, 2)) ?? []);
}

export type HeaderField = [name: string, value: string];

/** RFC 7541 Appendix A. */
// prettier-ignore
export const STATIC_TABLE: HeaderField[] = [
  [":authority", ""], [":method", "GET"], [":method", "POST"], [":path", "/"], [":path", "/index.html"], [":scheme", "http"],
  [":scheme", "https"], [":status", "200"], [":status", "204"], [":status", "206"], [":status", "304"], [":status", "400"],
  [":status", "404"], [":status", "500"], ["accept-charset", ""], ["accept-encoding", "gzip, deflate"], ["accept-language", ""],
  ["accept-ranges", ""], ["accept", ""], ["access-control-allow-origin", ""], ["age", ""], ["allow", ""], ["authorization", ""],
  ["cache-control", ""], ["content-disposition", ""], ["content-encoding", ""], ["content-language", ""], ["content-length", ""],
  ["content-location", ""], ["content-range", ""], ["content-type", ""], ["cookie", ""], ["date", ""], ["etag", ""], ["expect", ""],
  ["expires", ""], ["from", ""], ["host", ""], ["if-match", ""], ["if-modified-since", ""], ["if-none-match", ""], ["if-range", ""],
  ["if-unmodified-since", ""], ["last-modified", ""], ["link", ""], ["location", ""], ["max-forwards", ""], ["proxy-authenticate", ""],
  ["proxy-authorization", ""], ["range", ""], ["referer", ""], ["refresh", ""], ["retry-after", ""], ["server", ""], ["set-cookie", ""],
  ["strict-transport-security", ""], ["transfer-encoding", ""], ["user-agent", ""], ["vary", ""], ["via", ""], ["www-authenticate", ""],
];

const size = ([n, v]: HeaderField) => Buffer.byteLength(n, "latin1") + Buffer.byteLength(v, "latin1") + 32;

/** A dynamic table (§2.3.2, §4): newest entry first, at index 62. */
export class HpackTable {
  entries: HeaderField[] = [];
  constructor(public max = 4096) {}
  get size(): number {
    return this.entries.reduce((a, f) => a + size(f), 0);
  }
  add(f: HeaderField): void {
    this.entries.unshift(f);
    this.evict();
  }
  setMax(max: number): void {
    this.max = max;
    this.evict();
  }
  private evict(): void {
    while (this.size > this.max && this.entries.length > 0) this.entries.pop();
  }
  get(index: number): HeaderField {
    const f = index <= STATIC_TABLE.length ? STATIC_TABLE[index - 1] : this.entries[index - STATIC_TABLE.length - 1];
    if (index < 1 || !f) throw new Error(`index ${index} is in neither table (the dynamic table has ${this.entries.length} entries)`);
    return f;
  }
}

function int(buf: Uint8Array, at: number, prefix: number): [number, number] {
  const max = 2 ** prefix - 1;
  let v = buf[at]! & max;
  at++;
  if (v < max) return [v, at];
  for (let m = 1; ; m *= 128) {
    if (at >= buf.length) throw new Error("an integer runs past the end of the block");
    const b = buf[at++]!;
    v += (b & 0x7f) * m;
    if (!(b & 0x80)) return [v, at];
  }
}

function str(buf: Uint8Array, at: number): [string, number] {
  const h = buf[at]! & 0x80;
  const [len, start] = int(buf, at, 7);
  if (start + len > buf.length) throw new Error("a string runs past the end of the block");
  const raw = buf.subarray(start, start + len);
  return [(h ? huffmanDecode(raw) : Buffer.from(raw)).toString("latin1"), start + len];
}

/** Decodes the server's header blocks, in order, keeping its dynamic table. Throws (with the reason) on a block that is not valid HPACK. */
export class HpackDecoder {
  readonly table = new HpackTable();
  decode(block: Uint8Array): HeaderField[] {
    const out: HeaderField[] = [];
    let at = 0;
    while (at < block.length) {
      const b = block[at]!;
      if (b & 0x80) {
        const [i, next] = int(block, at, 7);
        out.push(this.table.get(i));
        at = next;
      } else if ((b & 0xe0) === 0x20) {
        if (out.length > 0) throw new Error("a dynamic table size update after a field (RFC 7541 §4.2)");
        const [max, next] = int(block, at, 5);
        if (max > 4096) throw new Error(`a dynamic table size update to ${max}, over SETTINGS_HEADER_TABLE_SIZE 4096`);
        this.table.setMax(max);
        at = next;
      } else {
        const indexing = (b & 0xc0) === 0x40;
        let [i, next] = int(block, at, indexing ? 6 : 4);
        let name: string;
        if (i === 0) [name, next] = str(block, next);
        else name = this.table.get(i)[0];
        const [value, end] = str(block, next);
        at = end;
        out.push([name, value]);
        if (indexing) this.table.add([name, value]);
      }
    }
    return out;
  }
}

function writeInt(v: number, prefix: number, flags: number): number[] {
  const max = 2 ** prefix - 1;
  if (v < max) return [flags | v];
  const out = [flags | max];
  for (v -= max; v >= 128; v = Math.floor(v / 128)) out.push((v % 128) | 0x80);
  out.push(v);
  return out;
}

function writeStr(s: string, huffman: boolean): number[] {
  const raw = Buffer.from(s, "latin1");
  const data = huffman ? huffmanEncode(raw) : raw;
  return [...writeInt(data.length, 7, huffman ? 0x80 : 0), ...data];
}

export type Representation = "without-indexing" | "incremental" | "never-indexed";

/** Encodes request header blocks the way a test chooses, tracking the dynamic table its own blocks fill. */
export class HpackEncoder {
  readonly table = new HpackTable();
  /** A dynamic table size update (§6.3). */
  sizeUpdate(max: number): Buffer {
    this.table.setMax(max);
    return Buffer.from(writeInt(max, 5, 0x20));
  }
  /** An indexed field (§6.1). */
  indexed(index: number): Buffer {
    return Buffer.from(writeInt(index, 7, 0x80));
  }
  /** A literal field with a literal name (§6.2). */
  literal([name, value]: HeaderField, o: { huffman?: boolean; representation?: Representation } = {}): Buffer {
    const rep = o.representation ?? "without-indexing";
    const head = rep === "incremental" ? 0x40 : rep === "never-indexed" ? 0x10 : 0x00;
    if (rep === "incremental") this.table.add([name, value]);
    return Buffer.from([head, ...writeStr(name, !!o.huffman), ...writeStr(value, !!o.huffman)]);
  }
  /** Plain literals without indexing: a block any HPACK decoder reads without tables. */
  plain(fields: HeaderField[]): Buffer {
    return Buffer.concat(fields.map((f) => this.literal(f)));
  }
}
