// The command table and dispatch.
//
// createCommandTable() builds a fresh table (name -> CommandSpec) from the
// command modules; a server may be given a modified copy. executeCommand()
// resolves a request the way Redis 7.0's processCommand does: the name is
// looked up without regard to case; for a container command (CONFIG,
// COMMAND) with at least one argument, argv[1] names the subcommand; then
// the arity is checked; then the handler runs.

import type { ClientState } from "../client.ts";
import { arityError, formattedError, unknownCommand, unknownSubcommand } from "../errors.ts";
import { error, simple, type Reply } from "../reply.ts";
import type { ServerState } from "../state.ts";
import { asciiLower, byteString } from "../text.ts";
import { callCommand, commandContext } from "./call.ts";
import { commandCommands } from "./command.ts";
import { configCommands } from "./config.ts";
import { connectionCommands } from "./connection.ts";
import { defineCommand, type CommandDefinition } from "./define.ts";
import { keyCommands } from "./keys.ts";
import { collectionScanCommands } from "./scan.ts";
import { serverCommands } from "./server.ts";
import { stringCommands } from "./strings.ts";
import { moreStringCommands } from "./more-strings.ts";
import { bitmapCommands } from "./bitmaps.ts";
import { dumpCommands } from "./dump.ts";
import { databaseCommands } from "./databases.ts";
import { listCommands } from "./lists.ts";
import { hashCommands } from "./hashes.ts";
import { setCommands } from "./sets.ts";
import { sortedSetCommands } from "./sorted-sets.ts";
import { sortCommands } from "./sort.ts";
import { debugCommands } from "./debug.ts";
import { streamCommands } from "./streams.ts";
import { transactionCommands } from "./transactions.ts";
import { pubsubCommands } from "./pubsub.ts";
import { persistenceCommands } from "./persistence.ts";
import { replicationCommands } from "./replication.ts";
import type { CommandHandler, CommandResult, CommandSpec, CommandTable } from "./types.ts";

export type { BlockRequest, CommandContext, CommandHandler, CommandResult, CommandSpec, CommandTable } from "./types.ts";

/** Every command module's definitions. New modules are added here. */
export const COMMAND_MODULES: ReadonlyArray<readonly CommandDefinition[]> = [
  connectionCommands,
  stringCommands,
  moreStringCommands,
  bitmapCommands,
  databaseCommands,
  keyCommands,
  dumpCommands,
  collectionScanCommands,
  serverCommands,
  configCommands,
  commandCommands,
  listCommands,
  hashCommands,
  setCommands,
  sortedSetCommands,
  sortCommands,
  debugCommands,
  streamCommands,
  transactionCommands,
  pubsubCommands,
  persistenceCommands,
  replicationCommands,
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

/** Command names as clients spell them ("SET", "Get") -> lower-case table entry, per table. */
const spellings = new WeakMap<CommandTable, Map<string, CommandSpec>>();
const MAX_SPELLINGS = 4096;

/** Names of up to 6 bytes, packed into a number with their length: no string is built. */
const shortNames = new WeakMap<CommandTable, Map<number, CommandSpec>>();

function packName(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.length - 1; i >= 0; i--) n = n * 256 + bytes[i]!;
  return n * 8 + bytes.length;
}

/** The command named by `bytes` in any letter case. */
function lookupCommand(table: CommandTable, bytes: Uint8Array): CommandSpec | undefined {
  if (bytes.length === 0 || bytes.length > 6) return lookupName(table, byteString(bytes));
  let known = shortNames.get(table);
  if (known === undefined) shortNames.set(table, (known = new Map()));
  const packed = packName(bytes);
  const hit = known.get(packed);
  if (hit !== undefined) return hit;
  const spec = lookupName(table, byteString(bytes));
  if (spec !== undefined && known.size < MAX_SPELLINGS) known.set(packed, spec);
  return spec;
}

/** The command named `name` in any letter case, remembering spellings already seen. */
function lookupName(table: CommandTable, name: string): CommandSpec | undefined {
  let seen = spellings.get(table);
  if (seen === undefined) spellings.set(table, (seen = new Map()));
  const hit = seen.get(name);
  if (hit !== undefined) return hit;
  const spec = table.get(asciiLower(name));
  if (spec !== undefined && seen.size < MAX_SPELLINGS) seen.set(name, spec);
  return spec;
}

/** The spec that would run `argv`, or the error reply Redis gives for it. */
export function resolveCommand(table: CommandTable, argv: readonly Buffer[]): CommandSpec | Reply {
  const base = lookupCommand(table, argv[0]!);
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

/** Commands a client in RESP2 subscribed mode may still send. */
const ALLOWED_WHILE_SUBSCRIBED = new Set(["subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe", "ping", "quit", "reset"]);
/** Commands that run at once inside MULTI instead of being queued. */
const NOT_QUEUED = new Set(["exec", "discard", "multi", "watch", "quit", "reset"]);
const QUEUED = simple("QUEUED");

function topName(spec: CommandSpec): string {
  return spec.name.includes("|") ? spec.name.slice(0, spec.name.indexOf("|")) : spec.name;
}

/**
 * Runs one request for `client`, as Redis's processCommand does: resolve,
 * refuse what subscribed mode forbids, run the before-command hooks, queue
 * inside MULTI, call the handler; then propagate its writes and
 * serve clients blocked on the keys it changed. A blocking command that
 * cannot be served now returns its BlockRequest.
 */
export function executeCommand(server: ServerState, client: ClientState, argv: Buffer[]): CommandResult {
  if (argv.length === 0) return error("ERR empty command");
  const resolved = resolveCommand(server.commands, argv);
  if (!isSpec(resolved)) {
    if (client.multi !== null) client.multiFailed = true;
    return resolved;
  }
  if (client.subscribed && client.protocol === 2 && !ALLOWED_WHILE_SUBSCRIBED.has(topName(resolved))) {
    return formattedError(`ERR Can't execute '${resolved.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`);
  }
  // The checks (OOM under maxmemory, writes on a read-only replica) come
  // before queueing, as in redis-server: a command refused inside MULTI
  // fails the transaction like an unknown command.
  const ctx = commandContext(server, client, resolved);
  for (const hook of server.beforeCommand) {
    const refused = hook(ctx, argv);
    if (refused === undefined) continue;
    if (client.multi !== null) client.multiFailed = true;
    return refused;
  }
  if (client.multi !== null && !NOT_QUEUED.has(topName(resolved))) {
    client.multi.push(argv);
    return QUEUED;
  }
  const result = callCommand(server, client, resolved, argv, ctx);
  server.propagation.flush(resolved.name === "exec");
  server.blocking.serveReady();
  return result;
}
