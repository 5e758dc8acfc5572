/**
 * The pager: reads the database header and pages on demand (fileformat2
 * §1.3 "The Database Header", §1.2 "Pages"), and changes pages in place
 * inside a transaction. Pages are read with pread when first needed, never
 * the whole file, so a query reads only what it visits.
 *
 * Writing: a page is changed through `writable(n)`, which keeps its original
 * content; `commit()` writes the originals to the rollback journal and syncs
 * it, writes the changed pages into the database file and syncs it, then
 * deletes the journal (journal.ts, atomiccommit.html). `rollback()` forgets
 * the changes. New pages come from the freelist first (fileformat2 §1.5),
 * then from the end of the file.
 */
import { closeSync, existsSync, fsyncSync, openSync, readSync, statSync, unlinkSync, writeSync } from "node:fs";
import { journalPath, recoverHotJournal, syncDir, writeJournal } from "./journal.ts";
import { quirks } from "./quirks.ts";

export interface Header {
  pageSize: number;
  writeVersion: number;
  readVersion: number;
  reserved: number;
  changeCounter: number;
  pageCount: number;
  freelistTrunk: number;
  freelistCount: number;
  schemaCookie: number;
  schemaFormat: number;
  defaultCacheSize: number;
  autovacuumTop: number;
  textEncoding: number;
  userVersion: number;
  incrementalVacuum: number;
  applicationId: number;
  softwareVersion: number;
}

const SQLITE_VERSION = 3040001;

function u32(b: Uint8Array, off: number): number {
  return new DataView(b.buffer, b.byteOffset).getUint32(off);
}

function setU32(b: Uint8Array, off: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint32(off, v);
}

/** Page 1 of an empty database: the header and an empty sqlite_schema leaf. */
export function emptyDatabasePage(pageSize = 4096): Uint8Array {
  const p = new Uint8Array(pageSize);
  p.set(new TextEncoder().encode("SQLite format 3\0"), 0);
  const dv = new DataView(p.buffer);
  dv.setUint16(16, pageSize === 65536 ? 1 : pageSize);
  p[18] = 1;
  p[19] = 1;
  p[21] = 64;
  p[22] = 32;
  p[23] = 32;
  dv.setUint32(28, 1);
  dv.setUint32(44, 4);
  dv.setUint32(56, 1);
  dv.setUint32(96, SQLITE_VERSION);
  p[100] = 13;
  dv.setUint16(105, pageSize === 65536 ? 0 : pageSize);
  return p;
}

function parseHeader(h: Uint8Array): Header {
  if (h.length < 100 || new TextDecoder().decode(h.subarray(0, 15)) !== "SQLite format 3") throw new Error("file is not a database");
  const dv = new DataView(h.buffer, h.byteOffset);
  const raw = dv.getUint16(16);
  return {
    pageSize: raw === 1 ? 65536 : raw,
    writeVersion: h[18]!,
    readVersion: h[19]!,
    reserved: h[20]!,
    changeCounter: dv.getUint32(24),
    pageCount: dv.getUint32(28),
    freelistTrunk: dv.getUint32(32),
    freelistCount: dv.getUint32(36),
    schemaCookie: dv.getUint32(40),
    schemaFormat: dv.getUint32(44),
    defaultCacheSize: dv.getUint32(48),
    autovacuumTop: dv.getUint32(52),
    textEncoding: dv.getUint32(56),
    userVersion: dv.getUint32(60),
    incrementalVacuum: dv.getUint32(64),
    applicationId: dv.getUint32(68),
    softwareVersion: dv.getUint32(96),
  };
}

export class Pager {
  header: Header;
  /** Usable bytes per page: the page size less the reserved bytes at each page's end. */
  usable: number;
  private fd = -1;
  private readonly cache = new Map<number, Uint8Array>();
  /** Original content of the pages changed in this transaction that exist in the file. */
  private readonly originals = new Map<number, Uint8Array>();
  private readonly dirty = new Set<number>();
  /** Pages in the file when the transaction began. */
  private filePages = 0;

  /** Opens a database file (a missing or empty file is an empty database, written on the first commit), after playing back a hot journal. */
  constructor(readonly path: string) {
    if (!quirks.ignoreHotJournal) recoverHotJournal(path);
    this.header = this.load();
    this.usable = this.header.pageSize - (quirks.ignoreReservedBytes ? 0 : this.header.reserved);
  }

  private load(): Header {
    this.cache.clear();
    this.originals.clear();
    this.dirty.clear();
    if (this.fd < 0 && existsSync(this.path)) this.fd = openSync(this.path, "r");
    const size = this.fd >= 0 ? statSync(this.path).size : 0;
    if (size === 0) {
      // An empty database: page 1 exists in memory only until the first commit.
      this.filePages = 0;
      const p = emptyDatabasePage();
      this.cache.set(1, p);
      this.dirty.add(1);
      return parseHeader(p);
    }
    const h = new Uint8Array(100);
    readSync(this.fd, h, 0, 100, 0);
    const header = parseHeader(h);
    this.filePages = Math.floor(size / header.pageSize);
    // The page count in the header is valid only when the version-valid-for number matches the change counter.
    if (u32(h, 92) !== header.changeCounter || header.pageCount === 0) header.pageCount = this.filePages;
    return header;
  }

  private read(buf: Uint8Array, position: number): number {
    return this.fd < 0 ? 0 : readSync(this.fd, buf, 0, buf.length, position);
  }

  /** Page `n` (numbered from 1), whole, including page 1's 100-byte header. */
  page(n: number): Uint8Array {
    let p = this.cache.get(n);
    if (!p) {
      p = new Uint8Array(this.header.pageSize);
      if (n <= this.filePages) this.read(p, (n - 1) * this.header.pageSize);
      this.cache.set(n, p);
    }
    return p;
  }

  /** Whether page `n` is held in memory (read before, or changed in this transaction). */
  holds(n: number): boolean {
    return this.cache.has(n);
  }

  /**
   * Reads `count` consecutive pages from `first` into `buf` with one read,
   * without keeping them: for a visit that reads each page once (a full
   * scan, a count), into a buffer it reuses. Only for pages in the file
   * that the pager does not hold (`holds`), whose content is the file's.
   */
  readRun(first: number, count: number, buf: Uint8Array): void {
    this.read(buf.subarray(0, count * this.header.pageSize), (first - 1) * this.header.pageSize);
  }

  /** Pages in the file (a page past them exists only in memory, in this transaction). */
  get pagesInFile(): number {
    return this.filePages;
  }

  /** Page `n`, to be changed in this transaction. */
  writable(n: number): Uint8Array {
    const p = this.page(n);
    if (!this.dirty.has(n)) {
      if (n <= this.filePages && !this.originals.has(n)) this.originals.set(n, p.slice());
      this.dirty.add(n);
    }
    return p;
  }

  get inTransaction(): boolean {
    return this.dirty.size > 0;
  }

  private setHeader(off: number, v: number): void {
    setU32(this.writable(1), off, v);
  }

  private setPageCount(n: number): void {
    this.header.pageCount = n;
    this.setHeader(28, n);
  }

  private setFreelist(trunk: number, count: number): void {
    this.header.freelistTrunk = trunk;
    this.header.freelistCount = count;
    this.setHeader(32, trunk);
    this.setHeader(36, count);
  }

  bumpSchemaCookie(): void {
    if (!quirks.schemaCookieUnchanged) this.header.schemaCookie++;
    this.setHeader(40, this.header.schemaCookie);
  }

  /** A page for new content: the last leaf of the first freelist trunk, the trunk itself, or a new page at the end. */
  allocate(): number {
    const trunk = this.header.freelistTrunk;
    if (trunk !== 0 && this.header.freelistCount > 0 && !quirks.neverReuseFreePages) {
      const t = this.writable(trunk);
      const leaves = u32(t, 4);
      let n: number;
      if (leaves > 0) {
        n = u32(t, 8 + 4 * (leaves - 1));
        setU32(t, 4, leaves - 1);
        this.setFreelist(trunk, this.header.freelistCount - 1);
      } else {
        n = trunk;
        this.setFreelist(u32(t, 0), this.header.freelistCount - 1);
      }
      this.writable(n).fill(0);
      return n;
    }
    const n = this.header.pageCount + 1;
    this.setPageCount(n);
    this.writable(n).fill(0);
    return n;
  }

  /** Puts a page on the freelist: a leaf of the first trunk while it has room, else a new trunk in front. */
  free(n: number): void {
    const trunk = this.header.freelistTrunk;
    // Trunks hold at most usable/4 - 8 leaves: older SQLite versions read no more (fileformat2 §1.5).
    const max = this.usable / 4 - 8;
    if (trunk !== 0) {
      const t = this.writable(trunk);
      const leaves = u32(t, 4);
      if (leaves < max) {
        setU32(t, 8 + 4 * leaves, n);
        setU32(t, 4, leaves + 1);
        this.setFreelist(trunk, this.header.freelistCount + 1);
        this.writable(n);
        return;
      }
    }
    const p = this.writable(n);
    p.fill(0);
    setU32(p, 0, trunk);
    this.setFreelist(n, this.header.freelistCount + 1);
  }

  /**
   * Makes the transaction durable: the change counter (and the
   * version-valid-for number) grow, the original pages go to the journal,
   * which is synced, then the changed pages to the database file, which is
   * synced, and deleting the journal commits.
   */
  commit(): void {
    if (this.dirty.size === 0) return;
    if (!quirks.changeCounterUnchanged) this.header.changeCounter = (this.header.changeCounter + 1) >>> 0;
    this.setHeader(24, this.header.changeCounter);
    this.setHeader(92, this.header.changeCounter);
    this.setHeader(96, SQLITE_VERSION);
    this.setHeader(28, this.header.pageCount);
    const pages = [...this.dirty].sort((a, b) => a - b);
    const originals = pages.filter((n) => this.originals.has(n)).map((n) => [n, this.originals.get(n)!] as [number, Uint8Array]);
    const journal = !quirks.writeWithoutJournal;
    if (journal) writeJournal(this.path, this.header.pageSize, this.filePages, originals);
    if (quirks.deleteJournalBeforeWriting && journal) this.deleteJournal();
    const fd = openSync(this.path, existsSync(this.path) ? "r+" : "w+");
    try {
      for (const n of pages) writeSync(fd, this.cache.get(n)!, 0, this.header.pageSize, (n - 1) * this.header.pageSize);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (journal && !quirks.deleteJournalBeforeWriting) this.deleteJournal();
    if (this.fd < 0) this.fd = openSync(this.path, "r");
    this.filePages = Math.max(this.filePages, this.header.pageCount);
    this.originals.clear();
    this.dirty.clear();
  }

  private deleteJournal(): void {
    unlinkSync(journalPath(this.path));
    syncDir(this.path);
  }

  /** Forgets the transaction's changes. */
  rollback(): void {
    this.header = this.load();
    this.usable = this.header.pageSize - this.header.reserved;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
