/**
 * The 100-byte database header (fileformat2 §1.3) of a file a program wrote,
 * checked against what SQLite writes: the page size kept, the file change
 * counter grown by a write (and the version-valid-for number at 92 equal to
 * it), the page count at 28 matching the file's size, the schema cookie
 * grown when the schema changed, and the fixed fields (versions 1, payload
 * fractions 64/32/32, schema format 4, UTF-8).
 */
export interface Header {
  pageSize: number;
  writeVersion: number;
  readVersion: number;
  fractions: [number, number, number];
  changeCounter: number;
  pageCount: number;
  schemaCookie: number;
  schemaFormat: number;
  encoding: number;
  versionValidFor: number;
}

export function readHeader(file: Uint8Array): Header {
  const b = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const raw = b.readUInt16BE(16);
  return {
    pageSize: raw === 1 ? 65536 : raw,
    writeVersion: b[18]!,
    readVersion: b[19]!,
    fractions: [b[21]!, b[22]!, b[23]!],
    changeCounter: b.readUInt32BE(24),
    pageCount: b.readUInt32BE(28),
    schemaCookie: b.readUInt32BE(40),
    schemaFormat: b.readUInt32BE(44),
    encoding: b.readUInt32BE(56),
    versionValidFor: b.readUInt32BE(92),
  };
}

/**
 * The first thing wrong with the header of `after` (the file's bytes), a
 * write after `before` (undefined for a file the write created); `schema`
 * says whether the write changed the schema.
 */
export function headerProblem(before: Header | undefined, after: Uint8Array, schema: boolean): string | undefined {
  if (after.length < 100) return `the file is ${after.length} bytes long, shorter than its 100-byte header`;
  const h = readHeader(after);
  if (before && h.pageSize !== before.pageSize) return `the page size (offset 16) is ${h.pageSize}; the file had ${before.pageSize}-byte pages: keep the file's page size`;
  if (h.writeVersion !== 1 || h.readVersion !== 1) return `the write and read versions (offsets 18 and 19) are ${h.writeVersion} and ${h.readVersion}, not 1 and 1 (rollback journal mode)`;
  if (h.fractions.join("/") !== "64/32/32") return `the payload fractions (offsets 21–23) are ${h.fractions.join("/")}, not 64/32/32`;
  if (h.schemaFormat !== 4) return `the schema format number (offset 44) is ${h.schemaFormat}, not 4`;
  if (h.encoding !== 1) return `the text encoding (offset 56) is ${h.encoding}, not 1 (UTF-8)`;
  if (h.pageCount * h.pageSize !== after.length) return `the page count at offset 28 says ${h.pageCount} pages (${h.pageCount * h.pageSize} bytes), but the file is ${after.length} bytes long`;
  if (h.versionValidFor !== h.changeCounter) return `the version-valid-for number (offset 92) is ${h.versionValidFor}, not the file change counter (offset 24), ${h.changeCounter}: readers then ignore the page count at 28`;
  if (before && h.changeCounter <= before.changeCounter) return `the file change counter (offset 24) is ${h.changeCounter}; it was ${before.changeCounter} before the write: every write that changes the file makes it grow`;
  if (before && schema && h.schemaCookie <= before.schemaCookie) return `the schema cookie (offset 40) is ${h.schemaCookie}; it was ${before.schemaCookie} before the schema changed: it must grow, so that other connections reread the schema`;
  return undefined;
}
