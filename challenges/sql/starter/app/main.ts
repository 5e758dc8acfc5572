// Your SQLite. syscraft runs it like sqlite3:  ./your_program.sh <file.db> "<SQL or dot-command>"
// Read stages/sql/01-dbinfo.md in your syscraft checkout first.
import { openSync, readSync } from "node:fs";

const [file, command] = Bun.argv.slice(2);
if (!file || !command) {
  console.error("usage: your_program.sh <file.db> <SQL or dot-command>");
  process.exit(1);
}

// The first 100 bytes of the file are the database header.
const header = new Uint8Array(100);
readSync(openSync(file, "r"), header, 0, 100, 0);

if (command === ".dbinfo") {
  // Stage 1: the page size is the 2-byte big-endian number at offset 16.
  const pageSize = (header[16]! << 8) | header[17]!;
  console.log(`${"database page size:".padEnd(20)} ${pageSize}`);
  console.log("TODO: number of tables:");
} else {
  // Anything you print to stderr shows up in the test output when a stage fails.
  console.error(`not supported yet: ${command}`);
  process.exit(1);
}
