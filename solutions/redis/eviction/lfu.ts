// Redis's LFU counter (https://redis.io/docs/latest/develop/reference/eviction/#the-new-lfu-mode,
// evict.c): an 8-bit logarithmic access counter plus the time of its last
// decrement in minutes (16 bits, wrapping).
//   - a new key starts at LFU_INIT_VAL (5), so it is not evicted before it
//     had a chance to be read;
//   - each access first decays the counter by one per `lfu-decay-time`
//     minutes elapsed, then increments it with probability
//     1 / ((counter - 5) * lfu-log-factor + 1): with the default factor 10
//     about 100 hits reach 10, a million reach 255.

export const LFU_INIT_VAL = 5;

/** The clock LFU decay counts in: minutes, modulo 2^16. */
export function lfuMinutes(nowMs: number): number {
  return Math.floor(nowMs / 60_000) & 0xffff;
}

function minutesSince(ldt: number, nowMs: number): number {
  const now = lfuMinutes(nowMs);
  return now >= ldt ? now - ldt : 0xffff - ldt + now;
}

export interface LfuState {
  counter: number;
  /** Minutes (lfuMinutes) when the counter was last decayed. */
  ldt: number;
}

/** The counter after decay, without changing the state (LFUDecrAndReturn). */
export function lfuDecayed(s: LfuState, nowMs: number, decayTime: number): number {
  const periods = decayTime > 0 ? Math.floor(minutesSince(s.ldt, nowMs) / decayTime) : 0;
  return periods > s.counter ? 0 : s.counter - periods;
}

/** One access (updateLFU): decay, then a logarithmic increment. */
export function lfuTouch(s: LfuState, nowMs: number, logFactor: number, decayTime: number, rand: () => number = Math.random): void {
  let counter = lfuDecayed(s, nowMs, decayTime);
  if (counter < 255) {
    const base = Math.max(0, counter - LFU_INIT_VAL);
    if (rand() < 1 / (base * logFactor + 1)) counter++;
  }
  s.counter = counter;
  s.ldt = lfuMinutes(nowMs);
}
