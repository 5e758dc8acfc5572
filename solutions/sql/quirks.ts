/**
 * Deliberate mistakes, all off. The broken fixtures in harness/fixtures/sql/
 * switch one on to check that the stages catch it; the engine never does.
 */
export const quirks = {
  /** Read a long payload from its page only, never following the overflow chain. */
  ignoreOverflow: false,
  /** Decode the 9th byte of a varint like the others (7 bits) instead of all 8. */
  varintNinthByteSevenBits: false,
  /** Never plan an index or rowid lookup: always scan the whole table. */
  neverUseIndexes: false,
  /** Count only the cells of a table's root page. */
  countRootPageOnly: false,
  /** Count every sqlite_schema row as a table in .dbinfo. */
  countIndexesAsTables: false,
  /** Compare without applying column affinity to the other operand. */
  compareWithoutAffinity: false,
  /** Treat LEFT JOIN as an inner join: drop left rows without a match. */
  leftJoinAsInner: false,
  /** INSERT stores values as written, without the column's affinity. */
  insertWithoutAffinity: false,
  /** INSERT adds the row to the table but not to the table's indexes. */
  indexesMissNewRows: false,
  /** DELETE removes rows from the table but leaves their index entries. */
  deleteKeepsIndexEntries: false,
  /** Sort NULLs after every other value. */
  nullsSortLast: false,
  /** Take every new page from the end of the file, never from the freelist. */
  neverReuseFreePages: false,
  /** Open a database without looking for a hot journal beside it. */
  ignoreHotJournal: false,
  /** Commit by writing the changed pages straight into the database file, with no rollback journal. */
  writeWithoutJournal: false,
  /** Commit in the wrong order: delete the journal before writing the database file. */
  deleteJournalBeforeWriting: false,
};
