/**
 * HPACK (RFC 7541): header blocks to header lists and back. The decoder
 * keeps the dynamic table the peer's encoder fills (§2.3.2, §4); the encoder
 * here indexes response fields it repeats and Huffman-codes strings when that
 * is shorter (§5.2).
 */
import { huffmanDecode, huffmanEncode, huffmanLength, HuffmanError } from "./huffman.ts";

export type Field = [name: string, value: string];

/** RFC 7541 Appendix A: the static table, index 1 to 61. */
// prettier-ignore
export const STATIC_TABLE: Field[] = [
  [":authority", ""], [":method", "GET"], [":method", "POST"], [":path", "/"], [":path", "/index.html"],
  [":scheme", "http"], [":scheme", "https"], [":status", "200"], [":status", "204"], [":status", "206"],
  [":status", "304"], [":status", "400"], [":status", "404"], [":status", "500"], ["accept-charset", ""],
  ["accept-encoding", "gzip, deflate"], ["accept-language", ""], ["accept-ranges", ""], ["accept", ""], ["access-control-allow-origin", ""],
  ["age", ""], ["allow", ""], ["authorization", ""], ["cache-control", ""], ["content-disposition", ""],
  ["content-encoding", ""], ["content-language", ""], ["content-length", ""], ["content-location", ""], ["content-range", ""],
  ["content-type", ""], ["cookie", ""], ["date", ""], ["etag", ""], ["expect", ""],
  ["expires", ""], ["from", ""], ["host", ""], ["if-match", ""], ["if-modified-since", ""],
  ["if-none-match", ""], ["if-range", ""], ["if-unmodified-since", ""], ["last-modified", ""], ["link", ""],
  ["location", ""], ["max-forwards", ""], ["proxy-authenticate", ""], ["proxy-authorization", ""], ["range", ""],
  ["referer", ""], ["refresh", ""], ["retry-after", ""], ["server", ""], ["set-cookie", ""],
  ["strict-transport-security", ""], ["transfer-encoding", ""], ["user-agent", ""], ["vary", ""], ["via", ""],
  ["www-authenticate", ""],
];

/** A header block that cannot be decoded: a connection error of type COMPRESSION_ERROR (RFC 9113 §4.3). */
export class CompressionError extends Error {}

/**
 * Mistakes of the decoder, one per fixture: Huffman-coded strings read as raw octets; never-indexed literals added
 * to the dynamic table; dynamic indexes counted from the oldest entry; an entry that fills the table exactly evicts
 * the oldest; dynamic table size updates ignored; an index past the dynamic table's last entry read as that last entry.
 */
export type HpackMistake = "huffman-as-raw" | "never-indexed-added" | "oldest-first" | "exact-fit-evicts" | "size-update-ignored" | "index-past-end-clamped";

/** §4.1: the octets an entry costs beyond its name and value. */
const ENTRY_OVERHEAD = 32;

/** The dynamic table (§2.3.2): newest first; index 62 is the newest entry. */
export class DynamicTable {
  entries: Field[] = [];
  size = 0;
  /** `overhead`: a fixture switch may set it to 0 (entries sized without §4.1's 32 octets). */
  constructor(
    public maxSize = 4096,
    private readonly overhead = ENTRY_OVERHEAD,
    private readonly mistake?: HpackMistake,
  ) {}

  add(f: Field): void {
    this.entries.unshift(f);
    this.size += this.entrySize(f);
    this.evict();
  }

  /** §4.1: an entry's size is its name and value lengths plus 32. */
  private entrySize([n, v]: Field): number {
    return Buffer.byteLength(n) + Buffer.byteLength(v) + this.overhead;
  }

  resize(max: number): void {
    if (this.mistake !== "size-update-ignored") this.maxSize = max;
    this.evict();
  }

  /** §4.4: evict from the end until the table fits (an entry larger than the table empties it). */
  private evict(): void {
    const over = () => (this.mistake === "exact-fit-evicts" ? this.size >= this.maxSize : this.size > this.maxSize);
    while (over() && this.entries.length > 0) this.size -= this.entrySize(this.entries.pop()!);
  }

  get(index: number): Field {
    if (index >= 1 && index <= STATIC_TABLE.length) return STATIC_TABLE[index - 1]!;
    const f = this.mistake === "oldest-first" ? this.entries[this.entries.length - (index - STATIC_TABLE.length)] : this.entries[index - STATIC_TABLE.length - 1];
    if (this.mistake === "index-past-end-clamped" && !f && index > STATIC_TABLE.length && this.entries.length > 0) return this.entries[this.entries.length - 1]!;
    if (index === 0 || !f) throw new CompressionError(`index ${index} is in neither the static table nor the dynamic table (${this.entries.length} entries)`);
    return f;
  }
}

/** §5.1: an integer with an N-bit prefix. */
function readInt(buf: Uint8Array, at: number, prefix: number): [value: number, next: number] {
  const max = (1 << prefix) - 1;
  let value = buf[at]! & max;
  at++;
  if (value < max) return [value, at];
  let shift = 0;
  for (;;) {
    if (at >= buf.length) throw new CompressionError("an integer runs past the end of the header block");
    const b = buf[at++]!;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (value > 2 ** 31) throw new CompressionError("an integer too large");
    if ((b & 0x80) === 0) return [value, at];
  }
}

function writeInt(value: number, prefix: number, flags: number): number[] {
  const max = (1 << prefix) - 1;
  if (value < max) return [flags | value];
  const out = [flags | max];
  value -= max;
  while (value >= 128) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}

/** §5.2: a string literal, Huffman-coded when H is set. */
function readString(buf: Uint8Array, at: number, mistake?: HpackMistake): [value: string, next: number] {
  const huffman = (buf[at]! & 0x80) !== 0 && mistake !== "huffman-as-raw";
  const [len, start] = readInt(buf, at, 7);
  if (start + len > buf.length) throw new CompressionError("a string runs past the end of the header block");
  const raw = buf.subarray(start, start + len);
  try {
    return [(huffman ? huffmanDecode(raw) : Buffer.from(raw)).toString("latin1"), start + len];
  } catch (e) {
    if (e instanceof HuffmanError) throw new CompressionError(e.message);
    throw e;
  }
}

function writeString(s: string, huffman: boolean): number[] {
  const raw = Buffer.from(s, "latin1");
  if (huffman && huffmanLength(raw) < raw.length) return [...writeInt(huffmanLength(raw), 7, 0x80), ...huffmanEncode(raw)];
  return [...writeInt(raw.length, 7, 0), ...raw];
}

/** §6.3: a dynamic table size update. */
export function tableSizeUpdate(size: number): Buffer {
  return Buffer.from(writeInt(size, 5, 0x20));
}

export class Decoder {
  readonly table: DynamicTable;
  /** `limit`: the most the peer may use, our SETTINGS_HEADER_TABLE_SIZE (§4.2); `entryOverhead`: 32 (§4.1), other only for a fixture. */
  constructor(
    private readonly limit = 4096,
    entryOverhead = ENTRY_OVERHEAD,
    private readonly mistake?: HpackMistake,
  ) {
    this.table = new DynamicTable(4096, entryOverhead, mistake);
  }

  /** Decodes one whole header block (§3, §6). */
  decode(block: Uint8Array, o: { noDynamicTable?: boolean } = {}): Field[] {
    const fields: Field[] = [];
    let at = 0;
    let sawField = false;
    while (at < block.length) {
      const b = block[at]!;
      if (b & 0x80) {
        // §6.1: indexed header field.
        const [index, next] = readInt(block, at, 7);
        if (o.noDynamicTable && index > STATIC_TABLE.length) throw new CompressionError(`index ${index} refers to the dynamic table, which this server does not keep`);
        fields.push(this.table.get(index));
        at = next;
      } else if ((b & 0xe0) === 0x20) {
        // §6.3: dynamic table size update, only at the start of a block (§4.2).
        if (sawField) throw new CompressionError("a dynamic table size update after a header field");
        const [size, next] = readInt(block, at, 5);
        if (size > this.limit) throw new CompressionError(`a dynamic table size update to ${size}, over the limit of ${this.limit}`);
        this.table.resize(size);
        at = next;
        continue;
      } else {
        // §6.2: literal with incremental indexing (01), without indexing (0000), never indexed (0001).
        const indexing = (b & 0xc0) === 0x40;
        const [index, next] = readInt(block, at, indexing ? 6 : 4);
        at = next;
        let name: string;
        if (index === 0) [name, at] = readString(block, at, this.mistake);
        else {
          if (o.noDynamicTable && index > STATIC_TABLE.length) throw new CompressionError(`index ${index} refers to the dynamic table, which this server does not keep`);
          name = this.table.get(index)[0];
        }
        let value: string;
        [value, at] = readString(block, at, this.mistake);
        fields.push([name, value]);
        const neverIndexed = (b & 0xf0) === 0x10;
        if ((indexing || (neverIndexed && this.mistake === "never-indexed-added")) && !o.noDynamicTable) this.table.add([name, value]);
      }
      sawField = true;
    }
    return fields;
  }
}

/** The static table's first index (from 0) of each name and of each name-value pair. */
const STATIC_EXACT = new Map<string, number>();
const STATIC_NAMED = new Map<string, number>();
STATIC_TABLE.forEach(([name, value], i) => {
  if (!STATIC_EXACT.has(`${name}\0${value}`)) STATIC_EXACT.set(`${name}\0${value}`, i);
  if (!STATIC_NAMED.has(name)) STATIC_NAMED.set(name, i);
});

export class Encoder {
  readonly table: DynamicTable;
  constructor(entryOverhead = ENTRY_OVERHEAD) {
    this.table = new DynamicTable(4096, entryOverhead);
  }

  /** Encodes fields: indexed when the static or dynamic table holds the pair, else a literal with incremental indexing. */
  encode(fields: Field[]): Buffer {
    const out: number[] = [];
    const dynamic = this.table.entries;
    for (const [name, value] of fields) {
      // The first index holding the pair (then the name): the static table's (looked up in a map), else the dynamic table's.
      let exact = STATIC_EXACT.get(`${name}\0${value}`) ?? -1;
      if (exact < 0) {
        const d = dynamic.findIndex(([n, v]) => n === name && v === value);
        if (d >= 0) exact = STATIC_TABLE.length + d;
      }
      if (exact >= 0) {
        out.push(...writeInt(exact + 1, 7, 0x80));
        continue;
      }
      let named = STATIC_NAMED.get(name) ?? -1;
      if (named < 0) {
        const d = dynamic.findIndex(([n]) => n === name);
        if (d >= 0) named = STATIC_TABLE.length + d;
      }
      out.push(...writeInt(named >= 0 ? named + 1 : 0, 6, 0x40));
      if (named < 0) out.push(...writeString(name, true));
      out.push(...writeString(value, true));
      this.table.add([name, value]);
    }
    return Buffer.from(out);
  }
}
