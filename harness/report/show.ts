/** Rendering bytes and strings so that invisible differences show. */

/** Escapes control bytes the way a learner would type them in printf: \r \n \t \xHH. */
export function visible(bytes: Uint8Array | string): string {
  const buf = typeof bytes === "string" ? Buffer.from(bytes, "latin1") : Buffer.from(bytes);
  let out = "";
  for (const b of buf) {
    if (b === 0x0d) out += "\\r";
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x09) out += "\\t";
    else if (b === 0x5c) out += "\\\\";
    else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, "0")}`;
    else out += String.fromCharCode(b);
  }
  return out;
}

/** A caret under byte `offset` of `bytes`, shown escaped: points at the byte that is wrong. */
export function caret(bytes: Uint8Array, offset: number, window = 60): string {
  const start = Math.max(0, offset - window);
  const before = visible(bytes.subarray(start, offset));
  const at = visible(bytes.subarray(offset, offset + 1)) || "(end)";
  const after = visible(bytes.subarray(offset + 1, offset + 1 + window));
  const prefix = start > 0 ? "…" : "";
  return `${prefix}${before}${at}${after}\n${" ".repeat(prefix.length + before.length)}^${"~".repeat(Math.max(0, at.length - 1))} byte ${offset}`;
}

/** Single-quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  if (arg !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}

/** Bytes as a printf format between single quotes: printf '<this>' writes exactly these bytes. */
export function printfFormat(bytes: Uint8Array | string): string {
  const buf = typeof bytes === "string" ? Buffer.from(bytes) : Buffer.from(bytes);
  let out = "";
  for (const b of buf) {
    if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b === 0x09) out += "\\t";
    else if (b === 0x5c) out += "\\\\";
    else if (b === 0x25) out += "%%";
    else if (b === 0x27) out += "'\\''";
    else if (b < 0x20 || b >= 0x7f) out += `\\${b.toString(8).padStart(3, "0")}`;
    else out += String.fromCharCode(b);
  }
  return out;
}

/**
 * A transcript line for a command that was fed standard input, so that it
 * re-runs as printed: `printf 'PING\nPING\n' | redis-cli -p 4000`, or
 * `… < /dev/null` for empty input. Input too long to show is summarised in a
 * comment.
 */
export function withStdin(stdin: Uint8Array | string | undefined, line: string, max = 400): string {
  if (stdin === undefined) return line;
  const bytes = typeof stdin === "string" ? Buffer.from(stdin) : Buffer.from(stdin);
  if (bytes.length === 0) return `${line} < /dev/null`;
  const format = printfFormat(bytes);
  if (format.length > max) return `${line}    # with ${bytes.length} bytes on standard input, starting: ${visible(bytes.subarray(0, 60))}…`;
  return `printf '${format}' | ${line}`;
}
