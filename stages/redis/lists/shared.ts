// Helpers shared by the lists extension's stages (not a stage itself).
import type { RespConnection } from "../../../challenges/redis/clients/redis.ts";
import { StageFailure } from "../../../harness/report/failure.ts";
import { visible } from "../../../harness/report/show.ts";

/** How redis-cli (--no-raw) prints an array of bulk strings: `1) "a"` per line, `(empty array)` when empty. */
export function shown(items: readonly string[]): string {
  if (items.length === 0) return "(empty array)";
  const width = String(items.length).length;
  return items.map((item, i) => `${String(i + 1).padStart(width)}) ${JSON.stringify(item)}`).join("\n");
}

/** The RESP bytes of an array of bulk strings (what BLPOP replies: [key, element]). */
export function respArray(items: readonly string[]): string {
  return `*${items.length}\r\n${items.map((s) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`).join("")}`;
}

export const WRONGTYPE = "(error) WRONGTYPE Operation against a key holding the wrong kind of value";

/**
 * Fails if `conn` receives anything within `ms` (a blocked client must stay
 * silent). The wait also gives the program time to register the block.
 */
export async function expectSilence(conn: RespConnection, ms: number, what: string, hint: string): Promise<void> {
  const got = await conn.tcp.waitFor((buf) => buf.length > 0, ms);
  if (got) {
    throw new StageFailure({
      message: `${conn.tcp.name}: ${what}, but a reply arrived.`,
      expected: `no reply yet (waited ${ms} ms)`,
      received: visible(conn.tcp.pending),
      hint,
    });
  }
}

/** `n` different random words (so that the order of a list is visible). */
export function distinctWords(rand: { word(): string; int(lo: number, hi: number): number }, n: number): string[] {
  const out = new Set<string>();
  while (out.size < n) out.add(out.size < 20 ? rand.word() : `${rand.word()}${rand.int(10, 99)}`);
  return [...out];
}
