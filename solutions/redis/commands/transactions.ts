// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
// https://redis.io/docs/latest/develop/interactions/transactions/
//
// Queueing itself happens in dispatch (index.ts executeCommand): inside
// MULTI every command except EXEC/DISCARD/MULTI/WATCH/QUIT/RESET is checked
// (unknown command, arity, then the before-command hooks: OOM, READONLY) and
// queued with +QUEUED; a command that fails that check sets client.multiFailed, and EXEC then refuses the whole transaction
// with EXECABORT. Errors raised while EXEC runs a command (WRONGTYPE, not an
// integer) do not stop the others: they are just that command's entry in
// EXEC's array.
//
// WATCH is optimistic locking: any change to a watched key by anyone (a
// write, a deletion, expiry, FLUSHALL) before EXEC sets client.watchDirty
// (watch.ts), and EXEC then runs nothing and replies the null array.

import type { ClientState } from "../client.ts";
import { error, NULL_ARRAY, OK, array, type Reply } from "../reply.ts";
import type { ServerState } from "../state.ts";
import { callCommand } from "./call.ts";
import type { CommandDefinition } from "./define.ts";
import { keyOf } from "./helpers.ts";
import { resolveCommand } from "./index.ts";

/** The ACL category (singular, unlike the command group). */
const TRANSACTION = ["@transaction"];
const EXECABORT = error("EXECABORT Transaction discarded because of previous errors.");

/** Leaves MULTI state and forgets the client's watched keys (EXEC, DISCARD). */
function endTransaction(server: ServerState, client: ClientState): void {
  client.multi = null;
  client.multiFailed = false;
  server.watches.unwatchAll(client);
}

/**
 * Whether a watched key changed. A watched key whose TTL passed since WATCH
 * counts as changed even if nothing deleted it yet: looking it up expires it,
 * which marks the watchers (Redis 7.0's isWatchedKeyExpired).
 */
function watchBroken(server: ServerState, client: ClientState): boolean {
  if (client.watchDirty) return true;
  for (const [db, key] of server.watches.keysOf(client)) server.databases[db]?.has(key);
  return client.watchDirty;
}

/** Runs each queued command as if sent alone, collecting the replies. */
function runQueue(server: ServerState, client: ClientState, queue: Buffer[][]): Reply {
  const replies: Reply[] = [];
  client.inExec = true;
  try {
    for (const argv of queue) {
      const spec = resolveCommand(server.commands, argv);
      if (!("arity" in spec)) {
        replies.push(spec);
        continue;
      }
      const result = callCommand(server, client, spec, argv);
      // callCommand never blocks inside EXEC: a blocking command times out at once.
      replies.push(result.kind === "block" ? result.timeout() : result);
    }
  } finally {
    client.inExec = false;
  }
  return array(replies);
}

export const transactionCommands: readonly CommandDefinition[] = [
  {
    name: "multi",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "allow_busy"],
    group: "transactions",
    categories: TRANSACTION,
    summary: "Start a transaction block",
    since: "1.2.0",
    handler: (ctx) => {
      if (ctx.client.multi !== null) return error("ERR MULTI calls can not be nested");
      ctx.client.multi = [];
      ctx.client.multiFailed = false;
      return OK;
    },
  },
  {
    name: "exec",
    arity: 1,
    flags: ["noscript", "loading", "stale", "skip_slowlog"],
    group: "transactions",
    categories: TRANSACTION,
    summary: "Execute all commands issued after MULTI",
    since: "1.2.0",
    handler: (ctx) => {
      const { server, client } = ctx;
      const queue = client.multi;
      if (queue === null) return error("ERR EXEC without MULTI");
      if (client.multiFailed) {
        endTransaction(server, client);
        return EXECABORT;
      }
      const broken = watchBroken(server, client);
      // Unwatch before running, so the transaction's own writes do not count.
      endTransaction(server, client);
      if (broken) return NULL_ARRAY;
      // EXEC itself is not propagated: the queued commands that wrote are,
      // and dispatch wraps them in MULTI/EXEC (propagation.ts).
      ctx.propagate();
      return runQueue(server, client, queue);
    },
  },
  {
    name: "discard",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "allow_busy"],
    group: "transactions",
    categories: TRANSACTION,
    summary: "Discard all commands issued after MULTI",
    since: "2.0.0",
    handler: (ctx) => {
      if (ctx.client.multi === null) return error("ERR DISCARD without MULTI");
      endTransaction(ctx.server, ctx.client);
      return OK;
    },
  },
  {
    name: "watch",
    arity: -2,
    flags: ["noscript", "loading", "stale", "fast", "allow_busy"],
    keys: [1, -1, 1],
    group: "transactions",
    categories: TRANSACTION,
    summary: "Watch the given keys to determine execution of the MULTI/EXEC block",
    since: "2.2.0",
    handler: (ctx, argv) => {
      if (ctx.client.multi !== null) return error("ERR WATCH inside MULTI is not allowed");
      for (const arg of argv.slice(1)) {
        const key = keyOf(arg);
        // Expire it now if its TTL already passed, so that only a later change counts.
        ctx.db.has(key);
        ctx.server.watches.watch(ctx.client, ctx.client.db, key);
      }
      return OK;
    },
  },
  {
    name: "unwatch",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "allow_busy"],
    group: "transactions",
    categories: TRANSACTION,
    summary: "Forget about all watched keys",
    since: "2.2.0",
    handler: (ctx) => {
      ctx.server.watches.unwatchAll(ctx.client);
      return OK;
    },
  },
];
