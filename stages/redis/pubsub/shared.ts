// Helpers shared by the pub/sub stages.
import { startBackground, type BackgroundClient } from "../../../harness/clients/background.ts";
import { REDIS_TOOLS, redisCli } from "../../../challenges/redis/clients/redis.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";

/**
 * The RESP2 bytes of a pushed array: strings are bulk strings, numbers
 * integers, null the null bulk string. push("message", "ch", "hi") is
 * "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n".
 */
export function push(...parts: (string | number | null)[]): string {
  const items = parts.map((p) => (p === null ? "$-1\r\n" : typeof p === "number" ? `:${p}\r\n` : `$${Buffer.byteLength(p, "latin1")}\r\n${p}\r\n`));
  return `*${parts.length}\r\n${items.join("")}`;
}

/** What redis-cli --no-raw prints for a pushed array of strings and integers. */
export function shown(...parts: (string | number)[]): string {
  return parts.map((p, i) => `${i + 1}) ${typeof p === "number" ? `(integer) ${p}` : `"${p}"`}`).join("\n") + "\n";
}

export const FORMAT = "Each subscription is confirmed by its own array of three: the bulk string \"subscribe\" (or \"psubscribe\"), the channel (or pattern), and the integer number of channels and patterns this connection is now subscribed to. A message is pushed as [\"message\", channel, payload] (all bulk strings).";

/**
 * `redis-cli -p N --no-raw SUBSCRIBE|PSUBSCRIBE …` running in the background;
 * resolves once redis-cli printed every confirmation.
 */
export async function subscriber(t: CaseContext, redis: Program, kind: "SUBSCRIBE" | "PSUBSCRIBE", names: string[]): Promise<BackgroundClient> {
  const sub = startBackground(t, REDIS_TOOLS, redisCli(t, redis).argv([kind, ...names]));
  const confirmations = names.map((n, i) => shown(kind.toLowerCase(), n, i + 1)).join("");
  await sub.waitForOutput(confirmations, 3000, {
    message: `redis-cli ${kind} ${names.join(" ")} waits for one confirmation per ${kind === "SUBSCRIBE" ? "channel" : "pattern"}.`,
    expected: `Reading messages... (press Ctrl-C to quit)\n${confirmations}`,
    hint: FORMAT,
  });
  return sub;
}
