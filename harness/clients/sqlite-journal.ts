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
 * as the journal of the transaction that turned one into the other.
 * Returns how many page records it holds.
 */
export function writeHotJournal(before: string, after: string, nonce: number): number {
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
    out.writeUInt32BE(checksum(nonce >>> 0, page), at + 4 + pageSize);
    at += pageSize + 8;
  }
  writeFileSync(`${after}-journal`, out);
  return records.length;
}
