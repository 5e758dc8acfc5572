/**
 * Seeded randomness. A run has one seed (printed on failure, set with
 * --seed=N or SYSCRAFT_SEED=N to replay); each case draws from its own stream
 * derived from the seed and the case's id, so replaying one case alone gives
 * it the same inputs as in the full run.
 */
import { harnessOptions } from "./cmdline.ts";

const WORDS = [
  "apple", "banana", "cherry", "grape", "mango", "orange", "pear", "plum", "peach", "lemon",
  "kiwi", "melon", "berry", "fig", "lime", "date", "papaya", "quince", "olive", "apricot",
  "rasp", "straw", "blue", "coconut", "guava", "lychee", "pine", "yam", "tomato", "carrot",
];

function hash32(text: string): number {
  // FNV-1a
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Random {
  private state: number;

  constructor(readonly seed: string, stream = "") {
    this.state = hash32(`${seed}/${stream}`) || 1;
  }

  /** Uniform in [0, 1). mulberry32. */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[this.int(0, items.length - 1)]!;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** A readable word such as "mango". */
  word(): string {
    return this.pick(WORDS);
  }

  /** A readable key unlikely to repeat within a case, such as "mango:4821". */
  key(prefix?: string): string {
    return `${prefix ?? this.word()}:${this.int(1000, 9999)}`;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(0, 255);
    return out;
  }
}

let runSeed: string | undefined;

/** The run's seed: from --seed / SYSCRAFT_SEED, else chosen now. */
export function seed(): string {
  runSeed ??= harnessOptions().seed || String(Math.floor(Math.random() * 1_000_000_000));
  return runSeed;
}
