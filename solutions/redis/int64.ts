// Strict 64-bit integer parsing, with the rules of Redis's string2ll():
// an optional '-', then either "0" or a digit 1-9 followed by digits, and the
// value must fit in a signed 64-bit integer. So no spaces, no '+', no leading
// zeros, no "-0", no empty string.

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;

/** The longest valid text is "-9223372036854775808" (20 bytes). */
const MAX_TEXT_LENGTH = 20;

/** Parses `bytes` as a strict int64; null if it is not one. */
export function parseInt64(bytes: Uint8Array): bigint | null {
  const len = bytes.length;
  if (len === 0 || len > MAX_TEXT_LENGTH) return null;
  let i = 0;
  if (bytes[0] === 0x2d /* - */) {
    i = 1;
    if (len === 1) return null;
  }
  const first = bytes[i]!;
  if (first === 0x30 /* 0 */) {
    // "0" alone is fine; "-0" and "0123" are not.
    return len === 1 ? 0n : null;
  }
  if (first < 0x31 || first > 0x39) return null;
  for (let j = i + 1; j < len; j++) {
    const c = bytes[j]!;
    if (c < 0x30 || c > 0x39) return null;
  }
  if (len - i <= 15) {
    // Fits a double exactly: no BigInt parsing of text.
    let n = 0;
    for (let j = i; j < len; j++) n = n * 10 + (bytes[j]! - 0x30);
    return BigInt(i === 1 ? -n : n);
  }
  const value = BigInt(Buffer.from(bytes.buffer, bytes.byteOffset, len).toString("latin1"));
  if (value < INT64_MIN || value > INT64_MAX) return null;
  return value;
}

/** True if `value` fits in a signed 64-bit integer. */
export function fitsInt64(value: bigint): boolean {
  return value >= INT64_MIN && value <= INT64_MAX;
}

/**
 * Like parseInt64 on bytes[start..end), for lengths and counts on the hot
 * path: a number, or null if the text is not a strict integer within ±2^53.
 */
export function parseSmallInt(bytes: Uint8Array, start: number, end: number): number | null {
  let i = start;
  const negative = bytes[i] === 0x2d; /* - */
  if (negative) i++;
  const digits = end - i;
  if (digits <= 0 || digits > 15) {
    const big = parseInt64(bytes.subarray(start, end));
    return big === null || big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER) ? null : Number(big);
  }
  if (bytes[i] === 0x30) return digits === 1 && !negative ? 0 : null;
  let n = 0;
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c < 0x30 || c > 0x39) return null;
    n = n * 10 + (c - 0x30);
  }
  return negative ? -n : n;
}
