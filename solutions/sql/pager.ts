/**
 * The pager: reads the database header and pages on demand (fileformat2
 * §1.3 "The Database Header", §1.2 "Pages"). Pages are read with pread when
 * first needed, never the whole file, so a query reads only what it visits.
 */
import { closeSync, openSync, readSync } from "node:fs";

export interface Header {
  pageSize: number;
  writeVersion: number;
  readVersion: number;
  reserved: number;
  changeCounter: number;
  pageCount: number;
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

export class Pager {
  readonly header: Header;
  /** Usable bytes per page: the page size less the reserved bytes at each page's end. */
  readonly usable: number;
  private readonly fd: number;
  private readonly cache = new Map<number, Uint8Array>();

  /** Opens a file, or (with `bytes`) a database held in memory. */
  constructor(path: string, private readonly bytes?: Uint8Array) {
    this.fd = bytes ? -1 : openSync(path, "r");
    const h = new Uint8Array(100);
    const n = this.read(h, 0);
    if (n < 100 || new TextDecoder().decode(h.subarray(0, 15)) !== "SQLite format 3") throw new Error("file is not a database");
    const dv = new DataView(h.buffer);
    const raw = dv.getUint16(16);
    this.header = {
      pageSize: raw === 1 ? 65536 : raw,
      writeVersion: h[18]!,
      readVersion: h[19]!,
      reserved: h[20]!,
      changeCounter: dv.getUint32(24),
      pageCount: dv.getUint32(28),
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
    this.usable = this.header.pageSize - this.header.reserved;
  }

  private read(buf: Uint8Array, position: number): number {
    if (!this.bytes) return readSync(this.fd, buf, 0, buf.length, position);
    const part = this.bytes.subarray(position, position + buf.length);
    buf.set(part);
    return part.length;
  }

  /** Page `n` (numbered from 1), whole, including page 1's 100-byte header. */
  page(n: number): Uint8Array {
    let p = this.cache.get(n);
    if (!p) {
      p = new Uint8Array(this.header.pageSize);
      this.read(p, (n - 1) * this.header.pageSize);
      this.cache.set(n, p);
    }
    return p;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
  }
}
