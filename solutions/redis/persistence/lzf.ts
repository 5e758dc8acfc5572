// LZF, the compression RDB uses for strings (Redis's src/lzf_d.c / lzf_c.c,
// format of liblzf). A compressed stream is a sequence of:
//   000LLLLL                     a literal run of L+1 bytes that follow;
//   LLLooooo oooooooo            a back-reference of L+2 bytes (L < 7) at
//                                distance o+1 before the output position;
//   111ooooo LLLLLLLL oooooooo   the same with length L+9.

/** Decompresses `input` into exactly `length` bytes; throws if it does not fit. */
export function lzfDecompress(input: Uint8Array, length: number): Buffer {
  const out = Buffer.alloc(length);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    const ctrl = input[ip++]!;
    if (ctrl < 32) {
      const run = ctrl + 1;
      if (op + run > length || ip + run > input.length) throw new Error("LZF data is corrupt (literal run overflows)");
      out.set(input.subarray(ip, ip + run), op);
      ip += run;
      op += run;
      continue;
    }
    let len = ctrl >> 5;
    if (len === 7) {
      if (ip >= input.length) throw new Error("LZF data is corrupt (truncated)");
      len += input[ip++]!;
    }
    len += 2;
    if (ip >= input.length) throw new Error("LZF data is corrupt (truncated)");
    const ref = op - ((ctrl & 0x1f) << 8) - input[ip++]! - 1;
    if (ref < 0 || op + len > length) throw new Error("LZF data is corrupt (back-reference out of range)");
    // Byte by byte: the reference may overlap the bytes being written.
    for (let i = 0; i < len; i++) out[op++] = out[ref + i]!;
  }
  if (op !== length) throw new Error(`LZF data is corrupt (${op} bytes instead of ${length})`);
  return out;
}

const HASH_BITS = 14;
const MAX_LIT = 32;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/**
 * Compresses `input` (liblzf's algorithm, hash table of 3-byte prefixes).
 * Returns null when the result would not be shorter than `maxLength`.
 */
export function lzfCompress(input: Uint8Array, maxLength = input.length - 1): Buffer | null {
  const n = input.length;
  if (n < 4) return null;
  const table = new Int32Array(1 << HASH_BITS).fill(-1);
  const out = Buffer.alloc(n + Math.ceil(n / MAX_LIT) + 1);
  let op = 1; // room for the first literal-run header
  let lit = 0;
  let ip = 0;
  const hash = (i: number) => (((input[i]! << 16) | (input[i + 1]! << 8) | input[i + 2]!) * 2654435761) >>> (32 - HASH_BITS);
  const flushLit = () => {
    out[op - lit - 1] = lit - 1;
  };
  /** Copies one input byte into the current literal run, closing the run when full. */
  const literal = () => {
    out[op++] = input[ip++]!;
    lit++;
    if (lit === MAX_LIT) {
      flushLit();
      lit = 0;
      op++;
    }
  };
  while (ip < n - 2) {
    const h = hash(ip);
    const ref = table[h]!;
    table[h] = ip;
    const off = ip - ref - 1;
    if (ref >= 0 && off < MAX_OFF && input[ref] === input[ip] && input[ref + 1] === input[ip + 1] && input[ref + 2] === input[ip + 2]) {
      let len = 3;
      const maxlen = Math.min(n - ip, MAX_REF);
      while (len < maxlen && input[ref + len] === input[ip + len]) len++;
      if (lit > 0) flushLit();
      else op--; // drop the unused literal header
      const l = len - 2;
      if (l < 7) {
        out[op++] = (l << 5) | (off >> 8);
      } else {
        out[op++] = (7 << 5) | (off >> 8);
        out[op++] = l - 7;
      }
      out[op++] = off & 0xff;
      ip += len;
      lit = 0;
      op++; // header of the next literal run
      if (op >= maxLength) return null;
      continue;
    }
    literal();
    if (op >= maxLength) return null;
  }
  while (ip < n) literal();
  if (lit > 0) flushLit();
  else op--;
  if (op >= maxLength) return null;
  return out.subarray(0, op);
}
