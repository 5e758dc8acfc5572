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
  /** X taken one byte too small (U-36 on a table leaf): a payload of exactly U-35 bytes is read as overflowing. */
  overflowThresholdOffByOne: false,
  /** Keep K bytes on the page only when K < X (instead of K ≤ X). */
  overflowKBelowX: false,
  /** x IN (…) ignores NULLs in the list: false instead of NULL when nothing matches. */
  inListIgnoresNull: false,
  /** LIKE folds the case of every letter (É matches é), not only ASCII's. */
  likeFoldsUnicode: false,
  /** Write the journal but never fsync it before writing the database file. */
  journalNotSynced: false,
  /** Journal checksums without the nonce (the sum of the sampled bytes alone). */
  journalChecksumWithoutNonce: false,
  /** .dbinfo prints the 2-byte page size field as it is: 1 for 65536. */
  pageSizeFieldRaw: false,
  /** .dbinfo does not count tables whose name starts with sqlite_ (sqlite_sequence). */
  tableCountSkipsSqliteTables: false,
  /** .tables lists tables only, not views. */
  tablesOmitViews: false,
  /** .tables fills its columns left to right (row by row) instead of top to bottom. */
  tablesFillRows: false,
  /** .schema prints a row whose sql is NULL (an automatic index) as an empty statement ";". */
  schemaPrintsNullSql: false,
  /** Read sqlite_schema's rootpage as its low byte only (a 1-byte integer), so root pages past 255 are wrong. */
  rootPageLowByte: false,
  /** Look tables up by their exact name: FROM ORDERS does not find orders. */
  tableNamesCaseSensitive: false,
  /** Count the children of an interior page's cells but not its right-most pointer's. */
  countSkipsRightMost: false,
  /** Count as if the children of the root were leaves (two levels at most). */
  countTwoLevelsOnly: false,
  /** Split a CREATE TABLE's column list at every comma, those inside parentheses (DECIMAL(8,2), CHECK (…)) too. */
  columnsSplitAtEveryComma: false,
  /** Print reals in exponent form only for large numbers (exponent ≥ 15), never small ones (1.5e-07 as 0.00000015). */
  realExponentOnlyWhenLarge: false,
  /** Know the rowid only as rowid, not oid or _rowid_. */
  rowidOnlyAsRowid: false,
  /** Take any primary key column whose type contains INT (INT PRIMARY KEY, BIGINT PRIMARY KEY) as the rowid alias. */
  anyIntPrimaryKeyIsRowid: false,
  /** Ignore the reserved bytes at the end of each page (offset 20): usable size = page size. */
  ignoreReservedBytes: false,
  /** NULL AND false is NULL (instead of false). */
  nullAndFalseIsNull: false,
  /** AND and OR have the same precedence, applied left to right. */
  andOrSamePrecedence: false,
  /** Affinity from the exact type names only (INTEGER, INT, TEXT, REAL, BLOB, none); every other type NUMERIC. */
  affinityExactTypeNames: false,
  /** Blobs sort before texts. */
  blobsBeforeTexts: false,
  /** Index scans return the entries of leaf pages only, skipping those in interior cells. */
  skipInteriorIndexEntries: false,
  /** Index cells use the table leaf's limit X = U-35 instead of ((U-12)*64/255)-23. */
  indexUsesTableX: false,
  /** GROUP BY tells 1 from 1.0 (keys compared with their type). */
  groupKeysByType: false,
  /** Integer division by zero gives 0 instead of NULL. */
  divisionByZeroIsZero: false,
  /** length() of a text counts UTF-8 bytes instead of characters. */
  lengthInBytes: false,
  /** group_concat() joins with ", " by default instead of ",". */
  groupConcatCommaSpace: false,
  /** A negative LIMIT keeps no rows (instead of meaning no limit). */
  negativeLimitIsZero: false,
  /** alias.* expands to the columns of every table, not only that one's. */
  qualifiedStarAllTables: false,
  /** A bare column name two tables have is taken from the first, instead of failing as ambiguous. */
  ambiguousColumnsAllowed: false,
  /** Join lookups use the outer value as it is, without the comparison's affinity. */
  joinLookupWithoutAffinity: false,
  /** sqlite_schema's sql keeps the CREATE TABLE statement as typed (lower case, IF NOT EXISTS…) instead of "CREATE TABLE " and the text from the name on. */
  schemaSqlAsTyped: false,
  /** A write leaves the file change counter (offset 24) and version-valid-for number (92) as they were. */
  changeCounterUnchanged: false,
  /** A schema change leaves the schema cookie (offset 40) as it was. */
  schemaCookieUnchanged: false,
  /** A new row without an id gets the number of rows + 1 instead of the largest rowid + 1. */
  autoRowidCountPlusOne: false,
  /** UPDATE's SET expressions see the values set before them in the same statement (SET a = b, b = a copies instead of swapping). */
  updateSeesNewValues: false,
  /** DROP TABLE removes the table but leaves its indexes in sqlite_schema. */
  dropTableKeepsIndexes: false,
  /** Outside BEGIN … COMMIT, the whole argument is one transaction: a failing statement also undoes the ones before it. */
  argumentIsOneTransaction: false,
  /** Play a hot journal back without cutting the file to the size the journal's header recorded. */
  recoveryWithoutTruncate: false,
  /** Play back every journal record whose checksum holds, skipping (instead of stopping at) one that does not. */
  recoverySkipsBadRecords: false,
  /** Play a hot journal back without syncing the database file before deleting the journal. */
  playbackNotSynced: false,
  /** .tables leaves out only the names that start with "sqlite_" exactly (sqlite3 leaves out those LIKE 'sqlite_%': SQLiteLog too). */
  tablesHideOnlySqliteUnderscore: false,
  /** A LEFT JOIN's NULL-extended rows skip the WHERE terms on the right table. */
  leftJoinNullRowsSkipWhere: false,
  /** After an index or rowid lookup, the rest of the WHERE is not checked. */
  lookupSkipsRestOfWhere: false,
  /** Text counts as a number only without spaces around it (' 8 ' stays text). */
  numericTextWithoutSpaces: false,
  /** A subquery runs once and its result is kept, even when it reads the enclosing query's row (a correlated subquery). */
  subqueryRunOnce: false,
  /** A scalar subquery with no rows is 0 instead of NULL. */
  emptyScalarSubqueryIsZero: false,
  /** EXISTS counts only rows whose first column is not NULL. */
  existsSkipsNullRows: false,
  /** x IN (SELECT …) skips NULLs the subquery returns: false instead of NULL when nothing matches. */
  inSubqueryIgnoresNull: false,
  /** UNION keeps duplicate rows (as UNION ALL does). */
  unionKeepsDuplicates: false,
  /** EXCEPT keeps the duplicates of the left SELECT's rows. */
  exceptKeepsDuplicates: false,
  /** A compound's ORDER BY and LIMIT apply to its last SELECT only, not to the whole result. */
  compoundOrderOnLastSelect: false,
  /** INTERSECT keeps the duplicates of the left SELECT's rows. */
  intersectKeepsDuplicates: false,
  /** SELECTs of a compound may have different numbers of columns (no error). */
  compoundUnevenColumns: false,
  /** NOT NULL constraints are not enforced. */
  ignoreNotNull: false,
  /** A CHECK constraint fails only when its expression is NULL or false, instead of false alone (NULL passes). */
  checkFailsOnNull: false,
  /** A column left out of an INSERT is NULL, whatever its DEFAULT. */
  ignoreDefaults: false,
  /** A UNIQUE constraint also refuses a second NULL (NULLs taken as equal). */
  uniqueNullsEqual: false,
  /** CREATE TABLE writes no sqlite_autoindex for UNIQUE and PRIMARY KEY constraints (so nothing refuses duplicates either). */
  noAutoindex: false,
  /** INSERT … SELECT puts the SELECT's values in the table's first columns, ignoring the column list. */
  insertSelectIgnoresColumnList: false,
  /** A view's rows are not read: a view in FROM is looked up as a table ("no such table"). */
  viewsNotRead: false,
  /** The columns of a view or a FROM subquery carry no affinity (compared as expressions are). */
  derivedColumnsWithoutAffinity: false,
  /** A view's column list is ignored: its columns are named as its SELECT names them. */
  viewColumnListIgnored: false,
  /** CREATE VIEW stores the statement as typed (IF NOT EXISTS included) instead of "CREATE VIEW " and the text from the name. */
  viewSqlAsTyped: false,
  /** DROP TABLE and DROP VIEW drop whatever has the name, a view or a table. */
  dropIgnoresType: false,
  /** CREATE TABLE or VIEW over an existing name always says "table <name> already exists", even when it is a view. */
  nameConflictSaysTable: false,
  /** ORDER BY and LIMIT of a subquery in FROM are ignored (all its rows, in scan order). */
  fromSubqueryIgnoresLimit: false,
  /** INSERT OR IGNORE (and ON CONFLICT IGNORE) fails like ABORT instead of skipping the row. */
  ignoreAsAbort: false,
  /** OR FAIL undoes the whole statement, like ABORT, instead of keeping the rows before the failing one. */
  failUndoesStatement: false,
  /** REPLACE deletes the colliding row from the table but leaves its index entries. */
  replaceKeepsIndexEntries: false,
  /** A multi-row UPDATE removes every old row first, then checks the new ones, instead of row by row. */
  updateAllThenCheck: false,
  /** CREATE TABLE … AUTOINCREMENT writes no sqlite_sequence table. */
  noSqliteSequence: false,
  /** AUTOINCREMENT gives max(rowid) + 1, reusing the rowids of deleted rows. */
  autoincrementReusesRowids: false,
  /** A constraint's ON CONFLICT clause in CREATE TABLE is read past but not applied (every constraint ABORTs). */
  constraintOnConflictIgnored: false,
  /** CREATE TABLE/VIEW IF NOT EXISTS fails on a taken name like the statement without it. */
  ifNotExistsIgnored: false,
  /** INSERT/UPDATE/DELETE on a view fails with "no such table: v" instead of "cannot modify v because it is a view". */
  viewWritesSayNoSuchTable: false,
  /** Reading a view whose table is gone says "no such table: t", without sqlite3's "main.". */
  viewErrorsWithoutSchema: false,
  /** An INSERT that inserts no row into an AUTOINCREMENT table writes no sqlite_sequence row (SQLite writes seq 0). */
  sequenceRowOnlyAfterRows: false,
  /** sqlite_sequence counts only the rowids of rows inserted, not those of rows IGNORE skipped. */
  sequenceSkipsIgnoredRows: false,
  /** DROP TABLE leaves the table's row in sqlite_sequence. */
  dropKeepsSequenceRow: false,
  /** An upsert's excluded.<column> reads the existing row's value, not the new row's. */
  upsertExcludedIsOld: false,
  /** DO UPDATE … WHERE updates the row whatever its WHERE gives. */
  upsertUpdateIgnoresWhere: false,
  /** An upsert's conflict target is not looked at: a conflict on any uniqueness constraint runs it. */
  upsertAnyConstraint: false,
  /** DO NOTHING stops the statement at the first row it skips (the rows after it are not inserted). */
  upsertNothingStops: false,
};
