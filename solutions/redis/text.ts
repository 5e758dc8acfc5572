// Byte-string helpers. Redis treats keys, values and command names as raw
// bytes; inside this server a "byte string" is a JS string with one char per
// byte (latin1), which makes a binary-safe Map key and round-trips exactly.

/** The byte string for `bytes` (binary-safe: every byte maps to one char). */
export function byteString(bytes: Uint8Array): string {
  if (bytes instanceof Buffer) return bytes.toString("latin1");
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** The bytes of a byte string (inverse of byteString). */
export function bytesOf(s: string): Buffer {
  return Buffer.from(s, "latin1");
}

/** Lower-cases ASCII letters only, like C's tolower() in the "C" locale. */
export function asciiLower(s: string): string {
  let ascii = true;
  let upper = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) ascii = false;
    else if (c >= 0x41 && c <= 0x5a) upper = true;
  }
  if (!upper) return s;
  // String#toLowerCase would also lower non-ASCII letters (À), which C's tolower does not.
  return ascii ? s.toLowerCase() : s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** Upper-cases ASCII letters only, like C's toupper() in the "C" locale. */
export function asciiUpper(s: string): string {
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

/** Case-insensitive (ASCII) comparison of an argument with an option name. */
export function isOption(arg: Uint8Array, name: string): boolean {
  if (arg.length !== name.length) return false;
  for (let i = 0; i < arg.length; i++) {
    let c = arg[i]!;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    let n = name.charCodeAt(i);
    if (n >= 0x41 && n <= 0x5a) n += 0x20;
    if (c !== n) return false;
  }
  return true;
}

/**
 * How C's printf("%.Ns") shows client bytes: stops at the first NUL byte and
 * after at most `limit` bytes. Returned as a byte string.
 */
export function cString(bytes: Uint8Array, limit = Infinity): string {
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  return byteString(bytes.subarray(0, Math.min(end, limit)));
}
