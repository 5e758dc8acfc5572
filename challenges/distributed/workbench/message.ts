import type { CaseContext } from "../../../harness/stage/context.ts";

/** Maelstrom's message format: one JSON object per line, {"src", "dest", "body": {"type", "msg_id", "in_reply_to", …}}. */
export interface Body {
  type: string;
  msg_id?: number;
  in_reply_to?: number;
  [field: string]: unknown;
}

export interface Message {
  src: string;
  dest: string;
  body: Body;
}

/** A node's stdout line as a message, or what is wrong with it (the report shows the line). */
export function parseLine(line: string): { message: Message } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { problem: "is not JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { problem: "is not a JSON object" };
  const m = value as Record<string, unknown>;
  if (typeof m.src !== "string") return { problem: 'has no "src" string' };
  if (typeof m.dest !== "string") return { problem: 'has no "dest" string' };
  const body = m.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { problem: 'has no "body" object' };
  if (typeof (body as Record<string, unknown>).type !== "string") return { problem: 'has a body without a "type" string' };
  return { message: m as unknown as Message };
}

/** A message as one line of the transcript. */
export function show(m: Message): string {
  return `${m.src} → ${m.dest} ${JSON.stringify(m.body)}`;
}

/** `count` distinct key names, drawn from the seed. */
export function keys(t: CaseContext, count: number): string[] {
  const out = new Set<string>();
  while (out.size < count) out.add(`${t.rand.word()}-${t.rand.int(1, 99)}`);
  return [...out];
}
