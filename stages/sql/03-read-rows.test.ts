import { SqlCase } from "../../challenges/sql/clients/sqlite.ts";
import { longText, PAGE_SIZES, randomBlob, randomTable, sqlLiteral, tableScript, type Kind } from "../../challenges/sql/clients/sqlite-data.ts";
import type { Random } from "../../harness/random.ts";
import { stage } from "../../harness/stage/define.ts";

/** A case's time limit in seconds: three or four files built by sqlite3, and each read by your program and by sqlite3, on a machine that may be loaded. */
const MANY_FILES = 30;

const RECORD =
  "Decode the record (fileformat2 §2.1): a header size varint, one serial-type varint per column, then the values: types 1–6 are big-endian two's-complement integers of 1, 2, 3, 4, 6 and 8 bytes, 7 an IEEE 754 double, 8 and 9 the constants 0 and 1, even N ≥ 12 a blob of (N-12)/2 bytes, odd N ≥ 13 a text of (N-13)/2 bytes; 0 is NULL. Print reals as sqlite3 does (\"%!.15g\": 15 significant digits, always a decimal point, e.g. 5.0, 1.0e+20); a REAL column may hold a whole number as an integer on disk (serial types 1–6, 8, 9): it still reads back as a real (5.0).";
const VARINT =
  "Rowids are varints in the cell (fileformat2 §1.6): bytes 1–8 give 7 bits each while their high bit is set, but a 9th byte gives all 8 of its bits. Negative rowids and rowids of 2^56 or more take all 9 bytes; the value is a 64-bit two's-complement integer.";
const OVERFLOW =
  "A payload too big for its page keeps only its first bytes on the page (fileformat2 §1.6: X = U-35 for a table leaf; if P > X, K = M+((P-M) mod (U-4)), local = K if K ≤ X, else M, with M = ((U-12)*32/255)-23), followed by a 4-byte overflow page number; each overflow page holds the next page number in its first 4 bytes, then U-4 bytes of the payload (§1.7), U being the usable page size.";

function varintLength(v: number): number {
  let n = 1;
  while (v >= 128 && n < 9) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** A text (or a blob) whose one-column record is exactly `payload` bytes: header size, serial type, then the value. */
function payloadOf(rand: Random, payload: number, blob: boolean): string | Uint8Array {
  for (let typeBytes = 1; typeBytes <= 3; typeBytes++) {
    const n = payload - 1 - typeBytes;
    if (varintLength(2 * n + (blob ? 12 : 13)) === typeBytes) return blob ? randomBlob(rand, n) : longText(rand, n, n);
  }
  throw new Error(`no one-column record has a payload of ${payload} bytes`);
}

/** Integers at the edges of the serial types: 0 and 1 (types 8, 9), then 1, 2, 3, 4, 6 and 8 bytes. */
const INT_EDGES = ["0", "1", "2", "-1", "127", "-128", "128", "32767", "-32768", "32768", "8388607", "-8388608", "8388608", "2147483647", "-2147483648", "2147483648", "140737488355327", "-140737488355328", "140737488355328", "9223372036854775807", "-9223372036854775808"];
/** Reals on both sides of the %!.15g limits: exponent -5/-4 and 14/15, 15 significant digits, whole numbers. */
const REAL_EDGES = ["0.0001", "0.00001", "1.5e-07", "-0.00012345", "1e14", "1e15", "-1.25e15", "123456789012345678.0", "0.1", "-2.5", "5.0", "1.0e20", "0.333333333333333333", "99999999999999.9"];

export default stage(import.meta, [
  {
    name: "SELECT columns by name, in the order asked, and SELECT *",
    async run(t) {
      const sql = SqlCase.start(t);
      const table = randomTable(t.rand, { name: t.rand.pick(["fruits", "orders", "people", "songs"]), kinds: ["text", "int", "text", "real"], rows: t.rand.int(5, 30), nulls: 0 });
      const file = await sql.build("small.db", `${tableScript(table)}`);
      const [a, b, c, d] = table.columns.map((col) => col.name);
      await sql.expectSame(file, `SELECT ${a} FROM ${table.name}`, { hint: RECORD });
      await sql.expectSame(file, `SELECT ${c}, ${a} FROM ${table.name}`, { hint: "Print the columns in the order of the SELECT, joined by \"|\", one row per line, rows in rowid order." });
      await sql.expectSame(file, `SELECT * FROM ${table.name}`, { hint: `SELECT * is every column in the order of CREATE TABLE (${[a, b, c, d].join(", ")}). ${RECORD}` });
      // Column definitions with types of several words, types with (n, m), and constraints (with commas inside their parentheses).
      const parts = await sql.build(
        "parts.db",
        [
          "CREATE TABLE parts (code TEXT NOT NULL DEFAULT 'none', weight DECIMAL(8,2) CHECK (weight >= 0 AND weight IN (1.5, 2, 7.25)), label VARYING CHARACTER(20) COLLATE NOCASE, qty INTEGER UNIQUE, note, CHECK (qty > 0 OR qty < 0));",
          ...Array.from({ length: t.rand.int(3, 8) }, (_, i) => `INSERT INTO parts VALUES (${sqlLiteral(t.rand.word())}, ${t.rand.pick(["1.5", "2", "7.25"])}, ${sqlLiteral(t.rand.word())}, ${i + 1}, ${sqlLiteral(t.rand.word())});`),
        ].join("\n"),
      );
      const COLUMNS = "A column definition is a name, an optional type of one or more words (maybe with (n) or (n, m)), then constraints (NOT NULL, DEFAULT, CHECK (…), UNIQUE, COLLATE…); table constraints such as CHECK (…) are not columns. Split the list at the commas outside parentheses.";
      await sql.expectSame(parts, "SELECT * FROM parts", { hint: COLUMNS });
      await sql.expectSame(parts, "SELECT note, qty, label FROM parts", { hint: COLUMNS });
    },
  },
  {
    name: "values of every storage class and serial type, NULLs included",
    async run(t) {
      const sql = SqlCase.start(t);
      const pageSize = t.rand.pick(PAGE_SIZES);
      const kinds: Kind[] = t.rand.shuffle(["int", "int", "real", "text", "blob", "mixed"]);
      const table = randomTable(t.rand, { name: "samples", kinds, rows: t.rand.int(200, 400), nulls: 0.15 });
      // A REAL column keeps 5.0 as the integer 5 on disk; it must read back as a real.
      const real = table.columns.find((c) => c.kind === "real")!;
      const extra = `UPDATE samples SET ${real.name} = ${t.rand.int(-50, 50)}.0 WHERE rowid % 7 = 3;`;
      const file = await sql.build("types.db", `PRAGMA page_size = ${pageSize};\n${tableScript(table)}\n${extra}`);
      // The boundaries, on every seed: each integer serial type at its edges, and reals on both sides of the exponent-form limits.
      const edges = await sql.build(
        "edges.db",
        `CREATE TABLE ints (v INTEGER);\nINSERT INTO ints VALUES ${INT_EDGES.map((v) => `(${v})`).join(", ")};\nCREATE TABLE reals (v REAL);\nINSERT INTO reals VALUES ${REAL_EDGES.map((v) => `(${v})`).join(", ")};`,
      );
      await sql.expectSame(edges, "SELECT v FROM ints", { hint: `Each integer at the edge of a serial type (0 and 1 are types 8 and 9, then 1, 2, 3, 4, 6 and 8 bytes, negative and positive). ${RECORD}` });
      await sql.expectSame(edges, "SELECT v FROM reals", { hint: `Reals print as "%!.15g": 15 significant digits, always a decimal point, exponent form when the exponent is below -4 or at least 15 (1.0e-05 but 0.0001; 1.0e+15 but 100000000000000.0). ${RECORD}` });
      await sql.expectSame(file, "SELECT * FROM samples", {
        diagnose: (d) =>
          d.expected && d.received && d.expected.split("|").some((v, i) => /^-?\d+\.0$/.test(v) && d.received!.split("|")[i] === v.slice(0, -2))
            ? `A column with REAL affinity (declared ${real.type}) may store a value like ${real.name} = 5.0 as the integer 5 to save space; read it back as a real (5.0). ${RECORD}`
            : RECORD,
      });
    },
  },
  {
    name: "INTEGER PRIMARY KEY is the rowid, including 64-bit and negative rowids",
    async run(t) {
      const sql = SqlCase.start(t);
      const ids = new Set<bigint>([-1n, -9223372036854775808n, 9223372036854775807n, 1n << 56n, (1n << 56n) - 1n, 127n, 128n, 16383n, 16384n]);
      while (ids.size < 60) {
        const bits = BigInt(t.rand.int(1, 63));
        ids.add(BigInt.asIntN(64, BigInt(t.rand.int(1, 2 ** 30)) << (bits > 30n ? bits - 30n : 0n)) * (t.rand.int(0, 4) === 0 ? -1n : 1n));
      }
      const table = randomTable(t.rand, { name: "accounts", kinds: ["text", "int"], rows: ids.size, ids: t.rand.shuffle([...ids]), nulls: 0 });
      const file = await sql.build("ids.db", `PRAGMA page_size = ${t.rand.pick([512, 1024, 4096])};\n${tableScript(table)}`);
      const id = table.idColumn!;
      await sql.expectSame(file, `SELECT ${id}, ${table.columns[1]!.name} FROM accounts`, {
        hint: `${id} is declared INTEGER PRIMARY KEY: it is an alias of the rowid. Its record field is NULL; print the cell's rowid instead. ${VARINT}`,
      });
      await sql.expectSame(file, `SELECT rowid, * FROM accounts`, { hint: `rowid is the cell's key. ${VARINT}` });
      await sql.expectSame(file, `SELECT oid, _rowid_, ${table.columns[1]!.name} FROM accounts`, { hint: `oid and _rowid_ are other names of the rowid. ${VARINT}` });
      // Only a column declared exactly INTEGER PRIMARY KEY is the rowid: INT PRIMARY KEY and BIGINT PRIMARY KEY are ordinary columns with a unique index.
      const others = await sql.build(
        "not-rowid.db",
        `CREATE TABLE codes (code INT PRIMARY KEY, big BIGINT, label TEXT);\nINSERT INTO codes VALUES ${Array.from({ length: 12 }, (_, i) => `(${t.rand.int(100, 999) * 10 + i}, ${t.rand.int(1, 99)}, ${sqlLiteral(t.rand.word())})`).join(", ")};`,
      );
      await sql.expectSame(others, "SELECT rowid, code, label FROM codes", { hint: "code is declared INT PRIMARY KEY, not exactly INTEGER PRIMARY KEY: it is an ordinary column (its value is in the record), not an alias of the rowid." });
    },
  },
  {
    name: "long texts and blobs on overflow pages, with page sizes from 512 to 65536",
    timeout: MANY_FILES,
    async run(t) {
      const sql = SqlCase.start(t);
      const sizes = [512, 65536, t.rand.pick([1024, 4096, 8192])];
      for (const pageSize of sizes) {
        const table = randomTable(t.rand, { name: "documents", kinds: ["text", "longtext", "longblob", "int"], rows: t.rand.int(10, 16), nulls: 0.05 });
        // One text and one blob longer than a whole page of this size, in a table of their own.
        const giants = `CREATE TABLE giants (label TEXT, body);\nINSERT INTO giants VALUES ('text', ${sqlLiteral("x".repeat(pageSize + t.rand.int(1, 500)))}), ('blob', ${sqlLiteral(new TextEncoder().encode("y".repeat(pageSize + t.rand.int(1, 500))))});`;
        const file = await sql.build(`docs-${pageSize}.db`, `PRAGMA page_size = ${pageSize};\n${tableScript(table)}\n${giants}`);
        const [title, body, data, n] = table.columns.map((c) => c.name);
        const hint = `Some rows are longer than a ${pageSize}-byte page. ${OVERFLOW}`;
        await sql.expectSame(file, `SELECT ${title}, ${n}, ${body}, ${data} FROM documents`, { hint });
        await sql.expectSame(file, "SELECT label, body FROM giants", { hint });
      }
    },
  },
  {
    name: "payloads at exactly the overflow thresholds X, X+1 and K = X, with page sizes from 512 to 65536",
    timeout: MANY_FILES,
    async run(t) {
      const sql = SqlCase.start(t);
      // The last one keeps reserved bytes at the end of each page (offset 20 of the header): U is smaller than the page size.
      const configs = [[512, 0], [65536, 0], [t.rand.pick([1024, 2048, 4096, 8192, 16384, 32768]), 0], [t.rand.pick([1024, 4096]), t.rand.int(8, 64)]] as const;
      for (const [pageSize, reserved] of configs) {
        const u = pageSize - reserved;
        const x = u - 35;
        // Payload sizes the §1.6 formulas turn on, the same on every seed: P = X stays whole on the page, P = X+1 overflows;
        // P = X+(U-4) gives K = X exactly (K bytes stay, and the rest fills one overflow page exactly), P = X+(U-4)+1 gives K = X+1 > X (M bytes stay).
        const sizes = [x - 1, x, x + 1, x + (u - 4), x + (u - 4) + 1];
        const script = [`PRAGMA page_size = ${pageSize};`];
        sizes.forEach((p, i) => {
          const blob = i % 2 === 1;
          script.push(`CREATE TABLE edge${i} (body${blob ? "" : " TEXT"});`, `INSERT INTO edge${i} VALUES (${sqlLiteral(payloadOf(t.rand, p, blob))});`);
        });
        // sqlite3 sets reserved bytes through the file-control call, applied by VACUUM.
        if (reserved) script.push(`.filectrl reserve_bytes ${reserved}`, "VACUUM;");
        const file = await sql.build(`edges-${pageSize}${reserved ? `-reserved${reserved}` : ""}.db`, script.join("\n"));
        for (const [i, p] of sizes.entries()) {
          const what = p <= x ? `exactly ${p === x ? "X" : "X-1"} = ${p} bytes: it fits on the page, with no overflow page` : p === x + 1 ? "X+1 bytes: the smallest that overflows" : p === x + u - 4 ? "P = X+(U-4) bytes, so K = X exactly: K bytes stay on the page (K ≤ X)" : "P = X+(U-4)+1 bytes, so K = X+1 > X: M bytes stay on the page";
          const usable = reserved ? `, ${reserved} of them reserved at the end of each page (the byte at offset 20 of the header): U = ${u}` : `: U = ${u}`;
          await sql.expectSame(file, `SELECT body FROM edge${i}`, { hint: `On ${pageSize}-byte pages${usable}, X = ${x}; the one record of edge${i} has a payload of ${what}. ${OVERFLOW}` });
        }
      }
    },
  },
]);
