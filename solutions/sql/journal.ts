/**
 * The rollback journal (fileformat2 §4 "The Rollback Journal",
 * atomiccommit.html): before a transaction changes a page of the database
 * file, the page's original content goes to `<db>-journal`, which is synced
 * first; the database file is then written and synced, and deleting the
 * journal commits. A journal left behind by a crash is "hot" (fileformat2 §4.1, lockingv3.html):
 * whoever opens the database next writes the original pages back, which
 * undoes the half-written transaction.
 *
 * Journal header (one sector of 512 bytes): magic d9d505f920a163d7, the
 * number of page records, the checksum nonce, the database size in pages
 * before the transaction, the sector size, the page size. Each record: the
 * page number, the original page, and a checksum (the nonce plus every
 * 200th byte of the page, from the end).
 */
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { quirks } from "./quirks.ts";

export const MAGIC = Uint8Array.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]);
export const SECTOR = 512;

export function journalPath(db: string): string {
  return `${db}-journal`;
}

export function checksum(nonce: number, page: Uint8Array): number {
  let sum = quirks.journalChecksumWithoutNonce ? 0 : nonce;
  for (let i = page.length - 200; i > 0; i -= 200) sum = (sum + page[i]!) >>> 0;
  return sum >>> 0;
}

/** Syncs a directory, so that a file created or deleted in it stays created or deleted. */
export function syncDir(path: string): void {
  const fd = openSync(dirname(path), "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes and syncs a journal holding these original pages. */
export function writeJournal(db: string, pageSize: number, originalPages: number, pages: [number, Uint8Array][]): void {
  const nonce = (Math.random() * 0x100000000) >>> 0;
  const header = new Uint8Array(SECTOR);
  const hv = new DataView(header.buffer);
  header.set(MAGIC, 0);
  hv.setUint32(8, pages.length);
  hv.setUint32(12, nonce);
  hv.setUint32(16, originalPages);
  hv.setUint32(20, SECTOR);
  hv.setUint32(24, pageSize);
  const out = new Uint8Array(SECTOR + pages.length * (pageSize + 8));
  out.set(header, 0);
  let at = SECTOR;
  const dv = new DataView(out.buffer);
  for (const [n, data] of pages) {
    dv.setUint32(at, n);
    out.set(data, at + 4);
    dv.setUint32(at + 4 + pageSize, checksum(nonce, data));
    at += pageSize + 8;
  }
  const fd = openSync(journalPath(db), "w");
  try {
    writeSync(fd, out);
    if (!quirks.journalNotSynced) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  syncDir(db);
}

/**
 * Plays back a hot journal, if there is one: the original pages whose
 * checksums hold are written back, the file is cut to its size before the
 * transaction, synced, and the journal deleted. A journal too short for its
 * header, or with another magic, holds nothing to undo and is deleted.
 * Returns whether pages were written back.
 */
export function recoverHotJournal(db: string): boolean {
  const jpath = journalPath(db);
  if (!existsSync(jpath)) return false;
  const j = readFileSync(jpath);
  let restored = false;
  if (existsSync(db)) {
    const fd = openSync(db, "r+");
    try {
      let at = 0;
      let originalPages = -1;
      let pageSize = 0;
      // One or more segments, each a header at a sector boundary, then its records.
      while (at + 28 <= j.length && MAGIC.every((b, i) => j[at + i] === b)) {
        const dv = new DataView(j.buffer, j.byteOffset + at);
        let count = dv.getUint32(8);
        const nonce = dv.getUint32(12);
        if (originalPages < 0) originalPages = dv.getUint32(16);
        const sector = dv.getUint32(20);
        pageSize = dv.getUint32(24);
        if (sector < 32 || sector > 65536 || (sector & (sector - 1)) !== 0 || pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) break;
        let rec = at + sector;
        if (count === 0xffffffff) count = Math.floor((j.length - rec) / (pageSize + 8));
        let ok = true;
        for (let i = 0; i < count; i++, rec += pageSize + 8) {
          if (rec + pageSize + 8 > j.length) {
            ok = false;
            break;
          }
          const rv = new DataView(j.buffer, j.byteOffset + rec);
          const n = rv.getUint32(0);
          const data = j.subarray(rec + 4, rec + 4 + pageSize);
          if (n === 0 || rv.getUint32(4 + pageSize) !== checksum(nonce, data)) {
            if (quirks.recoverySkipsBadRecords && n !== 0) continue;
            ok = false;
            break;
          }
          writeSync(fd, data, 0, pageSize, (n - 1) * pageSize);
          restored = true;
        }
        if (!ok || count === 0) break;
        at = Math.ceil(rec / sector) * sector;
      }
      if (originalPages >= 0 && pageSize > 0) {
        if (fstatSync(fd).size > originalPages * pageSize && !quirks.recoveryWithoutTruncate) ftruncateSync(fd, originalPages * pageSize);
        restored = true;
        if (!quirks.playbackNotSynced) fsyncSync(fd);
      }
    } finally {
      closeSync(fd);
    }
  }
  unlinkSync(jpath);
  syncDir(db);
  return restored;
}
