/**
 * The server's log lines (one per request), written to stdout in batches: the
 * lines of one turn of the event loop go out in one write, not one write
 * each (under load the writes cost more than the requests; see the README's
 * benchmark notes). `flushLog` writes what is waiting at once (before an exit).
 */
import { writeSync } from "node:fs";

let lines: string[] = [];
let scheduled = false;

export function flushLog(): void {
  scheduled = false;
  if (lines.length === 0) return;
  const text = `${lines.join("\n")}\n`;
  lines = [];
  try {
    writeSync(1, text);
  } catch {
    // stdout is gone (the reader closed its end): the lines are lost, the server goes on.
  }
}

export function log(line: string): void {
  lines.push(line);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushLog);
  }
}
