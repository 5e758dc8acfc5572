// Streams in an AOF rewrite. The rewrite's RDB base leaves stream keys out
// (encodeRdb with aofBase, rdb.ts); they are rebuilt instead. Like Redis's
// own AOF rewrite of a stream (aof.c rewriteStreamObject, what redis-server
// 7.0 writes with aof-use-rdb-preamble no), each stream is rebuilt with
// commands, appended to the new incr file right after the RDB base
// (https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/#log-rewriting):
//
//   XADD key <id> field value ...           every entry, with its explicit ID
//   XADD key MAXLEN 0 0-1 x y                 instead, for an empty stream
//   XSETID key <last-id> ENTRIESADDED <n> MAXDELETEDID <id>
//   XGROUP CREATE key <group> <last-delivered-id> ENTRIESREAD <n|-1>
//   XCLAIM key <group> <consumer> 0 <id> TIME <ms> RETRYCOUNT <n> JUSTID FORCE
//                                             each pending entry, per consumer
//   XGROUP CREATECONSUMER key <group> <consumer>   a consumer with none pending
//   PEXPIREAT key <ms>                        when the key has a time to live

import type { Keyspace } from "../keyspace.ts";
import type { ServerState } from "../state.ts";
import { formatId, MAX_ID, MIN_ID, type Stream, type StreamId } from "../types/stream.ts";
import { encodeCommand } from "./aof.ts";

type Argv = Buffer[];

const arg = (s: string): Buffer => Buffer.from(s, "latin1");
const id = (i: StreamId): Buffer => arg(formatId(i));
const byName = <T>(m: ReadonlyMap<string, T>): Array<[string, T]> => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** The commands that rebuild stream `s` at `key` (byte string). */
export function streamCommands(key: string, s: Stream): Argv[] {
  const k = arg(key);
  const out: Argv[] = [];
  if (s.length === 0) out.push([arg("XADD"), k, arg("MAXLEN"), arg("0"), arg("0-1"), arg("x"), arg("y")]);
  for (const e of s.range(MIN_ID, MAX_ID)) out.push([arg("XADD"), k, id(e.id), ...e.fields]);
  out.push([arg("XSETID"), k, id(s.lastId), arg("ENTRIESADDED"), arg(String(s.entriesAdded)), arg("MAXDELETEDID"), id(s.maxDeletedId)]);
  for (const [name, group] of byName(s.groups)) {
    const g = arg(name);
    out.push([arg("XGROUP"), arg("CREATE"), k, g, id(group.lastDelivered), arg("ENTRIESREAD"), arg(String(group.entriesRead ?? -1))]);
    for (const [consumerName, consumer] of byName(group.consumers)) {
      const c = arg(consumerName);
      if (consumer.pending.size === 0) out.push([arg("XGROUP"), arg("CREATECONSUMER"), k, g, c]);
      for (const p of group.pendingInOrder(consumer)) {
        out.push([arg("XCLAIM"), k, g, c, arg("0"), id(p.id), arg("TIME"), arg(String(p.deliveredAt)), arg("RETRYCOUNT"), arg(String(p.deliveries)), arg("JUSTID"), arg("FORCE")]);
      }
    }
  }
  return out;
}

function dbCommands(db: Keyspace): Argv[] {
  const out: Argv[] = [];
  for (const key of [...db.keys()]) {
    const value = db.get(key);
    if (value?.type !== "stream") continue;
    out.push(...streamCommands(key, value.data));
    const expireAt = db.getExpire(key);
    if (expireAt !== undefined) out.push([arg("PEXPIREAT"), arg(key), arg(String(expireAt))]);
  }
  return out;
}

/** Every stream of every database as AOF commands (RESP, with SELECTs); empty if there are none. */
export function rewriteStreams(state: ServerState): Buffer {
  const parts: Buffer[] = [];
  state.databases.forEach((db, index) => {
    const commands = dbCommands(db);
    if (commands.length === 0) return;
    parts.push(encodeCommand([arg("SELECT"), arg(String(index))]), ...commands.map((c) => encodeCommand(c)));
  });
  return Buffer.concat(parts);
}
