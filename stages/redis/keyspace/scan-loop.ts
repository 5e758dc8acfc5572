// A full iteration of any SCAN-family command (SCAN, SSCAN, HSCAN, ZSCAN),
// checked reply by reply: used by keyspace/3 and the scan extension.
import type { CaseContext } from "../../../harness/stage/context.ts";
import { show, type Command, type Pipeline, type Plain } from "./pipeline.ts";

/** Upper bound on calls for one full iteration (far more than any correct server needs). */
export const MAX_CALLS = 2000;

/** Checks the shape of one reply ([cursor, [items…]]) and returns [next cursor, items]. */
function parseScan(t: CaseContext, reply: Plain, call: string): [string, string[]] {
  if (!Array.isArray(reply) || reply.length !== 2 || typeof reply[0] !== "string" || !Array.isArray(reply[1]) || !reply[1].every((k) => typeof k === "string")) {
    t.fail({ message: `${call} should reply with a two-element array: the next cursor (a bulk string) and an array of elements.`, expected: '["<cursor>", ["element", ...]]', received: show(reply), hint: "Reply *2\\r\\n$<n>\\r\\n<cursor>\\r\\n*<k>\\r\\n then one bulk string per element." });
  }
  return [reply[0] as string, reply[1] as string[]];
}

/**
 * Runs `command cursor …options` from cursor 0 until it replies cursor 0
 * (e.g. command ["SSCAN", key]); returns every item replied and the number of
 * calls. Before each call after the first, `between(step)` gives commands to
 * run first (in the same pipeline). `neverZero` is the hint when cursor 0 never comes.
 */
export async function fullScan(t: CaseContext, p: Pipeline, command: Command, options: string[], neverZero: string, between?: (step: number) => Command[]): Promise<{ items: string[]; calls: number }> {
  const items: string[] = [];
  let cursor = "0";
  for (let calls = 1; calls <= MAX_CALLS; calls++) {
    const extra = calls > 1 && between ? between(calls - 1) : [];
    const replies = await p.run([...extra, [...command, cursor, ...options]]);
    const [next, found] = parseScan(t, replies[replies.length - 1]!, [...command, cursor, ...options].join(" "));
    items.push(...found);
    if (next === "0") return { items, calls };
    if (!/^\d+$/.test(next)) t.fail({ message: `${command[0]}'s cursor should be a decimal number.`, received: next, hint: "The cursor is an unsigned integer sent as a bulk string." });
    cursor = next;
  }
  t.fail({ message: `${command.join(" ")} did not return cursor 0 within ${MAX_CALLS} calls.`, hint: neverZero });
}

export function missingFrom(found: readonly string[], expected: readonly string[]): string[] {
  const seen = new Set(found);
  return expected.filter((k) => !seen.has(k));
}

/** The first few of `list`, for a report. */
export function firstFew(list: readonly string[]): string {
  return `${list.slice(0, 5).join(", ")}${list.length > 5 ? ", …" : ""}`;
}
