/**
 * The Kafka-style log workload, on lin-kv so every node serves the same log:
 * - "next-<key>": the key's next offset, advanced with cas (so offsets are unique and grow);
 * - "msg-<key>-<offset>": the message at that offset, written before send_ok;
 * - "committed-<key>": the committed offset, only ever raised (cas).
 * A poll returns the messages from the offset asked for up to the first offset whose
 * message is not written yet (a send still in flight), at most POLL_MAX per key.
 */
import { ask } from "./counter.ts";
import type { Handler, Node } from "./node.ts";

const POLL_MAX = 10;

async function readKey(node: Node, key: string): Promise<unknown> {
  const reply = await ask(node, "lin-kv", { type: "read", key });
  return reply.type === "read_ok" ? reply.value : undefined;
}

/** Raises lin-kv's `key` to at least `value` (a cas loop); with `bump`, takes the current value and stores it + 1 instead. Returns the value it replaced. */
async function advance(node: Node, key: string, next: (current: number | undefined) => number | undefined): Promise<number | undefined> {
  for (;;) {
    const current = (await readKey(node, key)) as number | undefined;
    const to = next(current);
    if (to === undefined) return current;
    const reply = await ask(node, "lin-kv", { type: "cas", key, from: current ?? null, to, create_if_not_exists: current === undefined });
    if (reply.type === "cas_ok") return current;
  }
}

export async function appendMessage(node: Node, key: string, msg: unknown): Promise<number> {
  const offset = (await advance(node, `next-${key}`, (n) => (n ?? 0) + 1)) ?? 0;
  await ask(node, "lin-kv", { type: "write", key: `msg-${key}-${offset}`, value: msg });
  return offset;
}

export async function readFrom(node: Node, key: string, from: number): Promise<[number, unknown][]> {
  const end = Math.min(((await readKey(node, `next-${key}`)) as number | undefined) ?? 0, from + POLL_MAX);
  const offsets = Array.from({ length: Math.max(0, end - from) }, (_, i) => from + i);
  const read = await Promise.all(offsets.map(async (o) => [o, await ask(node, "lin-kv", { type: "read", key: `msg-${key}-${o}` })] as const));
  const out: [number, unknown][] = [];
  for (const [o, reply] of read) {
    if (reply.type !== "read_ok") break;
    out.push([o, reply.value]);
  }
  return out;
}

export const kafkaHandlers: Record<string, Handler> = {
  send: async (node, m) => node.reply(m, { type: "send_ok", offset: await appendMessage(node, String(m.body.key), m.body.msg) }),
  poll: async (node, m) => {
    const msgs: Record<string, [number, unknown][]> = {};
    await Promise.all(
      Object.entries(m.body.offsets as Record<string, number>).map(async ([key, from]) => {
        const pairs = await readFrom(node, key, from);
        if (pairs.length > 0) msgs[key] = pairs;
      }),
    );
    node.reply(m, { type: "poll_ok", msgs });
  },
  commit_offsets: async (node, m) => {
    await Promise.all(Object.entries(m.body.offsets as Record<string, number>).map(([key, o]) => advance(node, `committed-${key}`, (c) => (c === undefined || c < o ? o : undefined))));
    node.reply(m, { type: "commit_offsets_ok" });
  },
  list_committed_offsets: async (node, m) => {
    const offsets: Record<string, number> = {};
    await Promise.all(
      (m.body.keys as string[]).map(async (key) => {
        const c = await readKey(node, `committed-${key}`);
        if (c !== undefined) offsets[key] = c as number;
      }),
    );
    node.reply(m, { type: "list_committed_offsets_ok", offsets });
  },
};
