// Splitting of inline commands (a request line not starting with '*', e.g.
// typed into telnet), with the rules of Redis's sdssplitargs():
//
//   - arguments are separated by whitespace; leading whitespace is skipped;
//   - "double quotes" allow spaces and the escapes \n \r \t \b \a \xHH
//     (two hex digits); any other escaped byte stands for itself (\" \\);
//   - 'single quotes' take bytes literally, except \' for a quote;
//   - a quote may open in the middle of an argument (a"b c" is "ab c"), but
//     a closing quote must be followed by whitespace or the end of the line;
//   - an unterminated quote (or a closing quote followed by another byte)
//     makes the whole line invalid: the result is null.
//
// A NUL byte ends the line, as it does for the C string Redis splits.

/** C isspace() in the "C" locale: space, \t, \n, \v, \f, \r. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

const ESCAPES: Record<number, number> = {
  0x6e: 0x0a, // \n
  0x72: 0x0d, // \r
  0x74: 0x09, // \t
  0x62: 0x08, // \b
  0x61: 0x07, // \a
};

/** Splits one inline request line (without its line ending) into arguments. */
export function splitInlineArgs(input: Uint8Array): Buffer[] | null {
  const nul = input.indexOf(0);
  const line = nul >= 0 ? input.subarray(0, nul) : input;
  const len = line.length;
  const args: Buffer[] = [];
  let p = 0;
  for (;;) {
    while (p < len && isSpace(line[p]!)) p++;
    if (p >= len) return args;

    const out: number[] = [];
    let quote: "none" | "double" | "single" = "none";
    for (;;) {
      const c = p < len ? line[p]! : -1;
      if (quote === "double") {
        if (c === -1) return null; // unterminated
        if (c === 0x5c /* \ */ && p + 1 < len) {
          const e = line[p + 1]!;
          const hi = p + 3 < len ? hexValue(line[p + 2]!) : -1;
          const lo = p + 3 < len ? hexValue(line[p + 3]!) : -1;
          if (e === 0x78 /* x */ && hi >= 0 && lo >= 0) {
            out.push(hi * 16 + lo);
            p += 4;
          } else {
            out.push(ESCAPES[e] ?? e);
            p += 2;
          }
        } else if (c === 0x22 /* " */) {
          if (p + 1 < len && !isSpace(line[p + 1]!)) return null;
          p++;
          break;
        } else {
          out.push(c);
          p++;
        }
      } else if (quote === "single") {
        if (c === -1) return null; // unterminated
        if (c === 0x5c /* \ */ && p + 1 < len && line[p + 1] === 0x27 /* ' */) {
          out.push(0x27);
          p += 2;
        } else if (c === 0x27 /* ' */) {
          if (p + 1 < len && !isSpace(line[p + 1]!)) return null;
          p++;
          break;
        } else {
          out.push(c);
          p++;
        }
      } else {
        // Only these end an unquoted argument (not \v or \f).
        if (c === -1 || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) break;
        if (c === 0x22) quote = "double";
        else if (c === 0x27) quote = "single";
        else out.push(c);
        p++;
      }
    }
    args.push(Buffer.from(out));
  }
}
