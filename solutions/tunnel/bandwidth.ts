/**
 * A token bucket (RFC 2697 §3: a bucket of CBS tokens, refilled CIR times a
 * second, initially full): each byte a tunnel carries, either way, takes one
 * token. The bucket holds at most one second's worth, so over any t seconds a
 * tunnel carries at most rate × (1 + t) bytes, and a quiet tunnel may burst
 * one second's worth at full speed.
 */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(
    /** Tokens (bytes) added per second. */
    readonly rate: number,
    /** The most the bucket holds (the burst size). */
    readonly capacity = rate,
    /** Tokens at the start (RFC 2697 §3: the bucket starts full). */
    initial = capacity,
  ) {
    this.tokens = initial;
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
  }

  /**
   * Takes up to `want` tokens and returns how many it took: 0 while fewer
   * than `least` are there (so a waiting stream sends a useful piece, not a
   * byte at a time).
   */
  take(want: number, least: number): number {
    this.refill();
    const have = Math.floor(this.tokens);
    if (have < Math.min(least, want, Math.floor(this.capacity))) return 0;
    const n = Math.min(want, have);
    this.tokens -= n;
    return n;
  }

  /** Milliseconds until `n` tokens will be there (at least 1). */
  waitMs(n: number): number {
    this.refill();
    const missing = Math.min(n, this.capacity) - this.tokens;
    return Math.max(1, Math.ceil((missing * 1000) / this.rate));
  }
}
