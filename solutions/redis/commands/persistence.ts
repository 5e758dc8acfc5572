// Persistence commands: SAVE, BGSAVE, LASTSAVE, BGREWRITEAOF, SHUTDOWN.
// https://redis.io/docs/latest/commands/save/, /bgsave/, /lastsave/,
// /bgrewriteaof/, /shutdown/ and
// https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/

import { ERR_SYNTAX } from "../errors.ts";
import { rewriteAof } from "../persistence/aof.ts";
import { saveRdb, savePoints, startBgsave } from "../persistence/snapshot.ts";
import { error, integer, NO_REPLY, OK, simple } from "../reply.ts";
import { asciiLower, byteString } from "../text.ts";
import type { CommandDefinition } from "./define.ts";

export const persistenceCommands: readonly CommandDefinition[] = [
  {
    name: "save",
    arity: 1,
    flags: ["admin", "noscript", "no_async_loading", "no_multi"],
    categories: ["@admin", "@dangerous"],
    group: "server",
    summary: "Synchronously save the dataset to disk",
    since: "1.0.0",
    handler: (ctx) => {
      if (ctx.server.persistence.bgsaveInProgress) return error("ERR Background save already in progress");
      try {
        saveRdb(ctx.server);
      } catch (err) {
        console.error(`Failed saving the DB: ${(err as Error).message}`);
        return error("ERR");
      }
      return OK;
    },
  },
  {
    name: "bgsave",
    arity: -1,
    flags: ["admin", "noscript", "no_async_loading"],
    categories: ["@admin", "@dangerous"],
    group: "server",
    summary: "Asynchronously save the dataset to disk",
    since: "1.0.0",
    handler: (ctx, argv) => {
      if (argv.length > 2 || (argv.length === 2 && asciiLower(byteString(argv[1]!)) !== "schedule")) return ERR_SYNTAX;
      if (ctx.server.persistence.bgsaveInProgress) {
        if (argv.length === 2) return simple("Background saving scheduled");
        return error("ERR Background save already in progress");
      }
      startBgsave(ctx.server);
      return simple("Background saving started");
    },
  },
  {
    name: "lastsave",
    arity: 1,
    flags: ["loading", "stale", "fast"],
    categories: ["@admin", "@dangerous"],
    group: "server",
    summary: "Get the UNIX time stamp of the last successful save to disk",
    since: "1.0.0",
    handler: (ctx) => integer(ctx.server.persistence.lastSave),
  },
  {
    name: "bgrewriteaof",
    arity: 1,
    flags: ["admin", "noscript", "no_async_loading"],
    categories: ["@admin", "@dangerous"],
    group: "server",
    summary: "Asynchronously rewrite the append-only file",
    since: "1.0.0",
    handler: (ctx) => {
      const p = ctx.server.persistence;
      if (p.aofRewriteInProgress) return error("ERR Background append only file rewriting already in progress");
      p.aofRewriteInProgress = true;
      // The snapshot is taken right after this reply, before any other command runs.
      setImmediate(() => {
        try {
          rewriteAof(ctx.server);
          console.log("Background AOF rewrite finished successfully");
        } catch (err) {
          console.error(`Background AOF rewrite failed: ${(err as Error).message}`);
        } finally {
          p.aofRewriteInProgress = false;
        }
      });
      return simple("Background append only file rewriting started");
    },
  },
  {
    name: "shutdown",
    arity: -1,
    flags: ["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"],
    categories: ["@admin", "@dangerous"],
    group: "server",
    summary: "Synchronously save the dataset to disk and then shut down the server",
    since: "1.0.0",
    handler: (ctx, argv) => {
      let save: boolean | undefined;
      for (const arg of argv.slice(1)) {
        const opt = asciiLower(byteString(arg));
        if (opt === "nosave") save = false;
        else if (opt === "save") save = true;
        else if (opt !== "now" && opt !== "force") return ERR_SYNTAX;
      }
      const state = ctx.server;
      if (save ?? savePoints(state).length > 0) {
        try {
          saveRdb(state);
        } catch (err) {
          console.error(`Error trying to save the DB: ${(err as Error).message}`);
          return error("ERR Errors trying to SHUTDOWN. Check logs.");
        }
      }
      state.persistence.aof?.close();
      console.log("Redis is now ready to exit, bye bye...");
      process.exit(0);
      return NO_REPLY;
    },
  },
];
