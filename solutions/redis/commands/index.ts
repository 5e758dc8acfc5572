// The command table and dispatch.
//
// createCommandTable() builds a fresh table (name -> CommandSpec) from the
// command modules; a server may be given a modified copy. executeCommand()
// resolves a request the way Redis 7.0's processCommand does: the name is
// looked up without regard to case; for a container command (CONFIG,
// COMMAND) with at least one argument, argv[1] names the subcommand; then
// the arity is checked; then the handler runs.

import type { ClientState } from "../client.ts";
import { arityError, unknownCommand, unknownSubcommand } from "../errors.ts";
import { error, type Reply } from "../reply.ts";
import type { ServerState } from "../state.ts";
import { asciiLower, byteString } from "../text.ts";
import { commandCommands } from "./command.ts";
import { configCommands } from "./config.ts";
import { connectionCommands } from "./connection.ts";
import { defineCommand, type CommandDefinition } from "./define.ts";
import { keyCommands } from "./keys.ts";
import { serverCommands } from "./server.ts";
import { stringCommands } from "./strings.ts";
import type { CommandContext, CommandHandler, CommandSpec, CommandTable } from "./types.ts";

export type { CommandContext, CommandHandler, CommandSpec, CommandTable } from "./types.ts";

/** Every command module's definitions. New modules are added here. */
export const COMMAND_MODULES: ReadonlyArray<readonly CommandDefinition[]> = [
  connectionCommands,
  stringCommands,
  keyCommands,
  serverCommands,
  configCommands,
  commandCommands,
];

/** A new, independent command table holding every command. */
export function createCommandTable(): CommandTable {
  const table: CommandTable = new Map();
  for (const mod of COMMAND_MODULES) {
    for (const def of mod) table.set(def.name, defineCommand(def));
  }
  return table;
}

/**
 * Returns a copy of `table` in which the top-level command `name` runs
 * `wrap(original)` instead of its handler (metadata is kept).
 */
export function withHandler(
  table: CommandTable,
  name: string,
  wrap: (original: CommandHandler) => CommandHandler,
): CommandTable {
  const spec = table.get(name);
  if (spec?.handler === undefined) throw new Error(`no command '${name}' with a handler`);
  const copy: CommandTable = new Map(table);
  copy.set(name, { ...spec, handler: wrap(spec.handler) });
  return copy;
}

/** The spec that would run `argv`, or the error reply Redis gives for it. */
export function resolveCommand(table: CommandTable, argv: readonly Buffer[]): CommandSpec | Reply {
  const base = table.get(asciiLower(byteString(argv[0]!)));
  if (base === undefined) return unknownCommand(argv);
  let spec = base;
  if (argv.length > 1 && base.subcommands !== undefined) {
    const sub = base.subcommands.get(asciiLower(byteString(argv[1]!)));
    if (sub === undefined) return unknownSubcommand(argv);
    spec = sub;
  }
  const argc = argv.length;
  if ((spec.arity > 0 && argc !== spec.arity) || argc < -spec.arity || spec.handler === undefined) {
    return arityError(spec.name);
  }
  return spec;
}

function isSpec(x: CommandSpec | Reply): x is CommandSpec {
  return "arity" in x;
}

/** Runs one request for `client` and returns its reply. */
export function executeCommand(server: ServerState, client: ClientState, argv: Buffer[]): Reply {
  if (argv.length === 0) return error("ERR empty command");
  const resolved = resolveCommand(server.commands, argv);
  if (!isSpec(resolved)) return resolved;
  const db = server.databases[client.db]!;
  const ctx: CommandContext = { server, client, db, command: resolved };
  server.stats.commandsProcessed++;
  try {
    return resolved.handler!(ctx, argv);
  } catch (err) {
    // A bug in one handler must not take the server down.
    console.error(`error running '${resolved.name}':`, err);
    return error(`ERR internal error in '${resolved.name}'`);
  }
}
