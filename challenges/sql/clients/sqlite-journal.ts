/**
 * Rollback journals built by the test (fileformat2 §4.1), for the SQL
 * transactions stage: the state a crash leaves when it strikes after the
 * database file was written and synced but before the journal was deleted
 * — the new file, with a hot journal holding the original pages beside it.
 * Built from two files (before and after a transaction), it is the same on
 * every run, whatever the timing of a kill.
 *
 * Format: a header of one 512-byte sector (magic d9d505f920a163d7, the
 * number of page records, the checksum nonce, the database's size in pages
 * before the transaction, the sector size, the page size; big-endian 4-byte
 * integers, then zeros), then one record per page: its number, its original
 * bytes, and a checksum (the nonce plus every 200th byte of the page,
 * starting page size − 200 bytes in, while the offset is positive).
 */
import { readFileSync, writeFileSync } from "node:fs";

const MAGIC = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];
const SECTOR = 512;

function checksum(nonce: number, page: Uint8Array): number {
  let sum = nonce;
  for (let i = page.length - 200; i > 0; i -= 200) sum = (sum + page[i]!) >>> 0;
  return sum;
}

/**
 * Writes `<after>-journal`: the pages of `before` that differ in `after`,
 * as the journal of the transaction that turned one into the other; the
 * record at index `badRecord`, if given, gets a wrong checksum.
 * Returns how many page records it holds.
 */
export function writeHotJournal(before: string, after: string, nonce: number, badRecord?: number): number {
  const old = readFileSync(before);
  const now = readFileSync(after);
  const pageSize = old.readUInt16BE(16) === 1 ? 65536 : old.readUInt16BE(16);
  const pages = old.length / pageSize;
  const records: number[] = [];
  for (let n = 1; n <= pages; n++) {
    const a = old.subarray((n - 1) * pageSize, n * pageSize);
    const b = now.subarray((n - 1) * pageSize, n * pageSize);
    if (!a.equals(b)) records.push(n);
  }
  const out = Buffer.alloc(SECTOR + records.length * (pageSize + 8));
  out.set(MAGIC, 0);
  out.writeUInt32BE(records.length, 8);
  out.writeUInt32BE(nonce >>> 0, 12);
  out.writeUInt32BE(pages, 16);
  out.writeUInt32BE(SECTOR, 20);
  out.writeUInt32BE(pageSize, 24);
  let at = SECTOR;
  for (const n of records) {
    const page = old.subarray((n - 1) * pageSize, n * pageSize);
    out.writeUInt32BE(n, at);
    out.set(page, at + 4);
    // A record whose checksum does not hold (as a torn write leaves it): playback stops there.
    out.writeUInt32BE((checksum(nonce >>> 0, page) + (records.indexOf(n) === badRecord ? 1 : 0)) >>> 0, at + 4 + pageSize);
    at += pageSize + 8;
  }
  writeFileSync(`${after}-journal`, out);
  return records.length;
}

/**
 * What is wrong with a rollback journal that a program left beside its
 * database after writing a transaction, as undo information for `before`
 * (the database file before the transaction) and `after` (the file as the
 * program left it): the first problem found, or undefined when sqlite3 can
 * play it back to `before`. Checks the header's magic, sector size, page
 * size and original size; every record's page number, checksum and
 * original bytes; and that every page of `before` that changed is there.
 */
export function journalProblem(journal: Uint8Array, before: Uint8Array, after: Uint8Array): string | undefined {
  const j = Buffer.from(journal.buffer, journal.byteOffset, journal.byteLength);
  const pageSize = before.length >= 18 ? (Buffer.from(before).readUInt16BE(16) === 1 ? 65536 : Buffer.from(before).readUInt16BE(16)) : 0;
  const originalPages = pageSize > 0 ? before.length / pageSize : 0;
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
  if (j.length < 28) return `the journal is ${j.length} bytes long, too short for its 28-byte header`;
  if (!MAGIC.every((b, i) => j[i] === b)) return `the journal starts with ${hex(j.subarray(0, 8))}, not the magic d9d505f920a163d7 (a journal without it holds nothing to play back)`;
  const covered = new Set<number>();
  let at = 0;
  let segment = 0;
  while (at + 28 <= j.length && MAGIC.every((b, i) => j[at + i] === b)) {
    segment++;
    const where = segment === 1 ? "the header" : `the header of segment ${segment} (offset ${at})`;
    let count = j.readUInt32BE(at + 8);
    const nonce = j.readUInt32BE(at + 12);
    const size = j.readUInt32BE(at + 16);
    const sector = j.readUInt32BE(at + 20);
    const page = j.readUInt32BE(at + 24);
    if (segment === 1 && size !== originalPages) return `${where} gives the database's size before the transaction as ${size} pages (offset 16); it was ${originalPages}`;
    if (sector !== SECTOR) return `${where} gives a sector size of ${sector} (offset 20); write 512, and put the first record 512 bytes in`;
    if (page !== pageSize) return `${where} gives a page size of ${page} (offset 24); the database's is ${pageSize}`;
    let rec = at + sector;
    if (count === 0xffffffff) count = Math.floor((j.length - rec) / (pageSize + 8));
    if (segment === 1 && count === 0 && changedPages(before, after, pageSize).length > 0) return `${where} counts 0 page records (offset 8): sqlite3 plays back nothing from a hot journal whose count is 0`;
    for (let i = 0; i < count; i++, rec += pageSize + 8) {
      if (rec + pageSize + 8 > j.length) return `${where} counts ${count} page records, but the journal ends after ${i}`;
      const n = j.readUInt32BE(rec);
      const data = j.subarray(rec + 4, rec + 4 + pageSize);
      const sum = j.readUInt32BE(rec + 4 + pageSize);
      if (n === 0 || n > originalPages) continue;
      if (sum !== checksum(nonce, data)) {
        return `record ${i + 1} (page ${n}, at offset ${rec}) has the checksum ${sum}; the nonce ${nonce} plus every 200th byte of the page (from offset page size − 200 down, while positive) gives ${checksum(nonce, data)} — sqlite3 stops playing back at the first record whose checksum does not hold`;
      }
      const original = before.subarray((n - 1) * pageSize, n * pageSize);
      if (!Buffer.from(original).equals(data)) return `record ${i + 1} holds page ${n}, but not its original bytes (as they were before the transaction)`;
      covered.add(n);
    }
    if (count === 0) break;
    at = Math.ceil(rec / sector) * sector;
  }
  const missing = changedPages(before, after, pageSize).filter((n) => n <= originalPages && !covered.has(n));
  if (missing.length > 0) return `the transaction changed page${missing.length > 1 ? "s" : ""} ${missing.slice(0, 8).join(", ")}${missing.length > 8 ? ` (and ${missing.length - 8} more)` : ""}, but the journal has no valid record of ${missing.length > 1 ? "their" : "its"} original bytes`;
  return undefined;
}

/** Page numbers (from 1) whose bytes differ between two files of the same page size, pages past the end of either included. */
function changedPages(before: Uint8Array, after: Uint8Array, pageSize: number): number[] {
  const out: number[] = [];
  const pages = Math.max(before.length, after.length) / pageSize;
  for (let n = 1; n <= pages; n++) {
    const a = Buffer.from(before.subarray((n - 1) * pageSize, n * pageSize));
    if (!a.equals(after.subarray((n - 1) * pageSize, n * pageSize))) out.push(n);
  }
  return out;
}
