/**
 * The Kafka-style log workload (Maelstrom's `kafka`): clients send messages to keys,
 * poll them back by offset, commit offsets and list the committed ones. A
 * KafkaHistory drives the requests and checks each reply as it comes, as Maelstrom's
 * checker does on the history: offsets unique per key and growing (a send acknowledged
 * before another was sent has a lower offset), polls in offset order from the requested
 * offset without skipping a known offset, every acknowledged message read back (no lost
 * write), and committed offsets never going back.
 */
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Network } from "./network.ts";
import { checkReply } from "./reply.ts";
import { show, type Message } from "./message.ts";

export const KAFKA =
  'Answer send with {"type": "send_ok", "offset": <an integer>}, poll with {"type": "poll_ok", "msgs": {<key>: [[<offset>, <msg>], …]}}, commit_offsets with {"type": "commit_offsets_ok"} and list_committed_offsets with {"type": "list_committed_offsets_ok", "offsets": {<key>: <offset>}}, each in_reply_to the request\'s msg_id.';

const UNIQUE = "Each offset of a key holds one message: assign offsets from one place every node agrees on (a counter per key in lin-kv, advanced with cas), not from a counter of each node's own.";
const GROWING = "A key's offsets grow in the order sends happen: a send that starts after another's send_ok must get a higher offset. Offsets made of a node's own counter (node index + nodes × counter) are unique but not ordered across nodes: take them from one counter per key (in lin-kv, advanced with cas).";
const MATCH = "A poll returns each message at the offset its send_ok gave: answer send_ok with the offset the message is stored at (look for an off-by-one between the two).";
const ORDER = "poll_ok lists each key's messages as [offset, msg] pairs in increasing offset order, beginning at the offset the poll asked for (or the first offset after it that holds a message).";
const SKIP = "A poll from offset o returns the messages at o, o+1, … with none left out, whichever node took their send: the requested offset is the first one to return (not the last one the client saw), and every node reads every message (keep the log in lin-kv, not in the memory of the node that took the send).";
const LOST = "Every message a send_ok acknowledged must be returned by polls from any node: keep the log where every node reads it (lin-kv, a key per message), not in the memory of the node that took the send.";
const COMMITTED = "After commit_offsets_ok, list_committed_offsets (through any node) returns, for that key, that offset or a higher one: keep committed offsets where every node reads them (lin-kv), and never lower one (a commit of a lower offset leaves the higher one).";

interface Sent {
  msg: number;
  node: string;
  client: string;
}

export type Polled = Record<string, [number, unknown][]>;

export class KafkaHistory {
  /** key → offset → the send that send_ok gave it to. */
  private readonly acked = new Map<string, Map<number, Sent>>();
  /** key → the highest offset committed by an acknowledged commit_offsets. */
  private readonly committed = new Map<string, number>();

  constructor(private readonly t: CaseContext, private readonly net: Network) {}

  private log(key: string): Map<number, Sent> {
    let m = this.acked.get(key);
    if (!m) this.acked.set(key, (m = new Map()));
    return m;
  }

  /** The offsets send_ok gave for `key`, ascending. */
  offsets(key: string): number[] {
    return [...this.log(key).keys()].sort((a, b) => a - b);
  }

  private highest(key: string): number | undefined {
    const os = this.offsets(key);
    return os.length === 0 ? undefined : os[os.length - 1];
  }

  async send(client: string, node: string, key: string, msg: number): Promise<number> {
    const before = this.highest(key);
    const reply = await this.net.rpc(client, node, { type: "send", key, msg }, { hint: KAFKA });
    checkReply(this.t, reply, { node, client, type: "send_ok", hint: KAFKA });
    const offset = reply.body.offset;
    if (typeof offset !== "number" || !Number.isInteger(offset)) this.t.fail({ message: `${node}'s send_ok has no integer "offset".`, detail: show(reply), hint: KAFKA });
    const log = this.log(key);
    const other = log.get(offset);
    if (other) {
      this.t.fail({
        message: `Offset ${offset} of key ${JSON.stringify(key)} was given to two sends: msg ${other.msg} (through ${other.node}) and msg ${msg} (through ${node}).`,
        expected: `a new offset for msg ${msg}`,
        received: show(reply),
        hint: UNIQUE,
      });
    }
    if (before !== undefined && offset <= before) {
      this.t.fail({
        message: `${client}'s send of msg ${msg} to key ${JSON.stringify(key)} through ${node} got offset ${offset}, not higher than offset ${before} (msg ${log.get(before)!.msg}, through ${log.get(before)!.node}), acknowledged before this send was sent.`,
        expected: `an offset above ${before}`,
        received: show(reply),
        hint: GROWING,
      });
    }
    log.set(offset, { msg, node, client });
    return offset;
  }

  /** A poll, its reply checked: the msgs map's shape, each key's order, start, skips and messages. */
  async poll(client: string, node: string, offsets: Record<string, number>): Promise<Polled> {
    const reply = await this.net.rpc(client, node, { type: "poll", offsets }, { hint: KAFKA });
    checkReply(this.t, reply, { node, client, type: "poll_ok", hint: KAFKA });
    const msgs = reply.body.msgs;
    const shape = (what: string) => this.t.fail({ message: `${node}'s poll_ok ${what}.`, detail: show(reply), hint: KAFKA });
    if (typeof msgs !== "object" || msgs === null || Array.isArray(msgs)) shape('has no "msgs" object');
    const out: Polled = {};
    for (const [key, from] of Object.entries(offsets)) {
      const entries = (msgs as Record<string, unknown>)[key];
      if (entries === undefined) continue;
      if (!Array.isArray(entries) || !entries.every((e) => Array.isArray(e) && e.length === 2 && Number.isInteger(e[0]))) shape(`lists key ${JSON.stringify(key)} as something other than [[offset, msg], …] pairs`);
      const pairs = entries as [number, unknown][];
      this.checkPolled(reply, key, from, pairs);
      out[key] = pairs;
    }
    return out;
  }

  private checkPolled(reply: Message, key: string, from: number, pairs: [number, unknown][]): void {
    const problem = pollProblem(this.log(key), from, pairs);
    if (problem) this.t.fail({ message: `${reply.src}'s poll_ok for key ${JSON.stringify(key)} from offset ${from}: ${problem.message}`, detail: show(reply), hint: problem.hint });
  }

  /**
   * Polls `key` through `node` from `from`, each poll from the offset after the last one
   * returned, until every acknowledged offset from `from` on was returned; a poll that
   * returns nothing is repeated every 100 ms, for at most `withinMs` in all.
   */
  async readLog(client: string, node: string, key: string, from: number, withinMs: number): Promise<void> {
    const want = this.offsets(key).filter((o) => o >= from);
    const seen = new Set<number>();
    const started = Date.now();
    let next = from;
    while (want.some((o) => !seen.has(o))) {
      const pairs = (await this.poll(client, node, { [key]: next }))[key] ?? [];
      for (const [o] of pairs) seen.add(o);
      if (pairs.length > 0) {
        next = pairs[pairs.length - 1]![0] + 1;
        continue;
      }
      const missing = want.filter((o) => !seen.has(o));
      if (Date.now() - started >= withinMs) {
        const log = this.log(key);
        this.t.fail({
          message: `Polls of key ${JSON.stringify(key)} through ${node} return nothing from offset ${next}, ${withinMs / 1000} s on, but send_ok gave ${missing.length} more offset${missing.length > 1 ? "s" : ""} there: a lost write.`,
          expected: `offsets ${missing.join(", ")} (msgs ${missing.map((o) => log.get(o)!.msg).join(", ")})`,
          received: `an empty poll_ok for key ${JSON.stringify(key)}`,
          hint: LOST,
        });
      }
      await Bun.sleep(100);
    }
    this.t.log.note(`${node} returned all ${want.length} messages of key ${JSON.stringify(key)} from offset ${from}`);
  }

  async commit(client: string, node: string, offsets: Record<string, number>): Promise<void> {
    const reply = await this.net.rpc(client, node, { type: "commit_offsets", offsets }, { hint: KAFKA });
    checkReply(this.t, reply, { node, client, type: "commit_offsets_ok", hint: KAFKA });
    for (const [key, o] of Object.entries(offsets)) this.committed.set(key, Math.max(o, this.committed.get(key) ?? -Infinity));
  }

  /** list_committed_offsets, checked: every key committed so far is listed at its highest committed offset or above. */
  async listCommitted(client: string, node: string, keys: string[]): Promise<Record<string, unknown>> {
    const reply = await this.net.rpc(client, node, { type: "list_committed_offsets", keys }, { hint: KAFKA });
    checkReply(this.t, reply, { node, client, type: "list_committed_offsets_ok", hint: KAFKA });
    const offsets = reply.body.offsets;
    if (typeof offsets !== "object" || offsets === null || Array.isArray(offsets)) this.t.fail({ message: `${node}'s list_committed_offsets_ok has no "offsets" object.`, detail: show(reply), hint: KAFKA });
    const listed = offsets as Record<string, unknown>;
    for (const key of keys) {
      const floor = this.committed.get(key);
      if (floor === undefined) continue;
      const got = listed[key];
      if (typeof got !== "number" || got < floor) {
        this.t.fail({
          message: `${node} lists key ${JSON.stringify(key)}'s committed offset as ${got === undefined ? "missing" : JSON.stringify(got)}, but commit_offsets had committed offset ${floor} (acknowledged with commit_offsets_ok) before this request: committed offsets never go back.`,
          expected: `${JSON.stringify(key)}: ${floor} or higher`,
          received: show(reply),
          hint: COMMITTED,
        });
      }
    }
    return listed;
  }
}

/**
 * What is wrong with the [offset, msg] pairs a poll from offset `from` returned for a
 * key whose acknowledged sends are `log` (offset → send), if anything: pairs out of
 * order or before `from`, an offset holding another message than its send_ok said, or
 * an acknowledged offset left out before the last one returned (a skip).
 */
export function pollProblem(log: ReadonlyMap<number, { msg: unknown }>, from: number, pairs: [number, unknown][]): { message: string; hint: string } | undefined {
  if (pairs.length === 0) return undefined;
  const polled = pairs.map((p) => p[0]);
  if (polled[0]! < from) return { message: `it begins at offset ${polled[0]}, before the offset asked for.`, hint: ORDER };
  for (let i = 1; i < polled.length; i++) if (polled[i]! <= polled[i - 1]!) return { message: `offset ${polled[i]} comes after offset ${polled[i - 1]}: offsets must increase.`, hint: ORDER };
  for (const [offset, msg] of pairs) {
    const sent = log.get(offset);
    if (sent && JSON.stringify(sent.msg) !== JSON.stringify(msg)) return { message: `offset ${offset} holds ${JSON.stringify(msg)}, but send_ok gave offset ${offset} to msg ${JSON.stringify(sent.msg)}.`, hint: MATCH };
  }
  const last = polled[polled.length - 1]!;
  const returned = new Set(polled);
  const skipped = [...log.keys()].filter((o) => o >= from && o < last && !returned.has(o)).sort((a, b) => a - b);
  if (skipped.length > 0) {
    return { message: `it skips offset${skipped.length > 1 ? "s" : ""} ${skipped.join(", ")}, which send_ok gave (msg ${skipped.map((o) => JSON.stringify(log.get(o)!.msg)).join(", ")}), and returns offset ${last}.`, hint: SKIP };
  }
  return undefined;
}
