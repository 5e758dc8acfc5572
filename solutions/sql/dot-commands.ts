/**
 * The sqlite3 shell's dot-commands this engine knows
 * (https://www.sqlite.org/cli.html#special_commands_to_sqlite3_dot_commands_):
 * .dbinfo (the database header, fileformat2 §1.3), .tables and .schema
 * (rows of sqlite_schema, fileformat2 §2.6).
 */
import { quirks } from "./quirks.ts";
import type { Database } from "./select.ts";

function pad(label: string, value: string | number): string {
  return `${label.padEnd(20)} ${value}`;
}

export function dbinfo(db: Database): string[] {
  const h = db.pager.header;
  const rows = db.schema.rows;
  const counted = quirks.tableCountSkipsSqliteTables ? rows.filter((r) => !r.name.startsWith("sqlite_")) : rows;
  const count = (type: string) => counted.filter((r) => r.type === type || (quirks.countIndexesAsTables && type === "table")).length;
  const enc = ["", "utf8", "utf16le", "utf16be"][h.textEncoding] ?? "";
  return [
    pad("database page size:", quirks.pageSizeFieldRaw && h.pageSize === 65536 ? 1 : h.pageSize),
    pad("write format:", h.writeVersion),
    pad("read format:", h.readVersion),
    pad("reserved bytes:", h.reserved),
    pad("file change counter:", h.changeCounter),
    pad("database page count:", h.pageCount),
    pad("freelist page count:", h.freelistCount),
    pad("schema cookie:", h.schemaCookie),
    pad("schema format:", h.schemaFormat),
    pad("default cache size:", h.defaultCacheSize),
    pad("autovacuum top root:", h.autovacuumTop),
    pad("incremental vacuum:", h.incrementalVacuum),
    pad("text encoding:", `${h.textEncoding}${enc ? ` (${enc})` : ""}`),
    pad("user version:", h.userVersion),
    pad("application id:", h.applicationId),
    pad("software version:", h.softwareVersion),
    pad("number of tables:", count("table")),
    pad("number of indexes:", count("index")),
    pad("number of triggers:", count("trigger")),
    pad("number of views:", count("view")),
    pad("schema size:", rows.reduce((n, r) => n + (r.sql?.length ?? 0), 0)),
  ];
}

/**
 * Table and view names, sorted, in columns as the shell lays them out for 80
 * characters; the shell leaves out names LIKE 'sqlite_%' (sqlite, one more
 * character, anything, in any case: sqlite_sequence, but also SQLiteX).
 */
export function tables(db: Database): string[] {
  const names = db.schema.rows
    .filter((r) => (r.type === "table" || (r.type === "view" && !quirks.tablesOmitViews)) && !(quirks.tablesHideOnlySqliteUnderscore ? r.name.startsWith("sqlite_") : /^[sS][qQ][lL][iI][tT][eE]./.test(r.name)))
    .map((r) => r.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (names.length === 0) return [];
  const width = Math.max(...names.map((n) => n.length));
  const perLine = Math.max(1, Math.floor(80 / (width + 2)));
  const lines = Math.ceil(names.length / perLine);
  const out: string[] = [];
  if (quirks.tablesFillRows) {
    for (let i = 0; i < names.length; i += perLine) out.push(names.slice(i, i + perLine).map((n) => n.padEnd(width)).join("  "));
    return out;
  }
  for (let i = 0; i < lines; i++) {
    let line = "";
    for (let j = i; j < names.length; j += lines) line += (j < lines ? "" : "  ") + names[j]!.padEnd(width);
    out.push(line);
  }
  return out;
}

/** Every CREATE statement of the schema, in the order of sqlite_schema, each ending with ";". */
export function schema(db: Database): string[] {
  return db.schema.rows.filter((r) => r.sql !== null || quirks.schemaPrintsNullSql).map((r) => `${r.sql ?? ""};`);
}
