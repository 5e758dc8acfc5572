// Running one command handler: its context, the dirty counter, and
// collecting what to propagate. Used by dispatch (index.ts), EXEC, and
// blocked clients being served.

import type { ClientState } from "../client.ts";
import { error } from "../reply.ts";
import { defaultEvents, notificationsOn, notifyKeyspaceEvent, type EventClass } from "../notifications.ts";
import type { ServerState } from "../state.ts";
import type { CommandContext, CommandResult, CommandSpec } from "./types.ts";

class Call implements CommandContext {
  rewritten: Buffer[][] | null = null;
  /** Whether the handler named its keyspace events itself (else they are worked out from the keys it changed). */
  notified = false;

  constructor(
    readonly server: ServerState,
    readonly client: ClientState,
    readonly command: CommandSpec,
  ) {}

  get db() {
    return this.server.databases[this.client.db]!;
  }

  propagate(...commands: Buffer[][]): void {
    this.rewritten = [...(this.rewritten ?? []), ...commands];
  }

  notify(cls: EventClass, event: string, key: Buffer, db = this.client.db): void {
    this.notified = true;
    notifyKeyspaceEvent(this.server, db, cls, event, key.toString("latin1"));
  }
}

/** A context for running `spec` for `client`, outside invoke() (e.g. hooks). */
export function commandContext(server: ServerState, client: ClientState, spec: CommandSpec): CommandContext {
  return new Call(server, client, spec);
}

/**
 * Runs `body` (a handler, or a blocked command's retry) as `spec` for
 * `client`. If data changed, queues `argv` (or what the handler asked
 * for with ctx.propagate) for propagation.
 */
export function invoke(
  server: ServerState,
  client: ClientState,
  spec: CommandSpec,
  argv: Buffer[],
  body: (ctx: CommandContext) => CommandResult | undefined,
): CommandResult | undefined {
  return run(new Call(server, client, spec), argv, body);
}

function run(ctx: Call, argv: Buffer[], body: ((ctx: CommandContext) => CommandResult | undefined) | null): CommandResult | undefined {
  const { server, client, command: spec } = ctx;
  const dirtyBefore = server.dirty;
  const outerChanges = server.changedKeys;
  const changes: [number, string][] | null = notificationsOn(server) ? [] : null;
  server.changedKeys = changes;
  server.propagation.depth++;
  let result: CommandResult | undefined;
  try {
    result = body === null ? spec.handler!(ctx, argv) : body(ctx);
  } catch (err) {
    // A bug in one handler must not take the server down.
    console.error(`error running '${spec.name}':`, err);
    result = error(`ERR internal error in '${spec.name}'`);
  } finally {
    server.propagation.depth--;
    server.changedKeys = outerChanges;
  }
  if (changes !== null && changes.length > 0 && !ctx.notified) defaultEvents(server, client.db, spec, argv, changes);
  if (result !== undefined && result.kind === "block" && client.inExec) result = result.timeout();
  if (server.dirty !== dirtyBefore) {
    for (const cmd of ctx.rewritten ?? [argv]) server.propagation.add(client.db, cmd);
  } else if (ctx.rewritten) {
    for (const cmd of ctx.rewritten) server.propagation.add(client.db, cmd);
  }
  return result;
}

/**
 * Runs a resolved command's handler (no MULTI queueing, no hooks), in
 * `ctx` if the caller already made one for this command.
 */
export function callCommand(server: ServerState, client: ClientState, spec: CommandSpec, argv: Buffer[], ctx?: CommandContext): CommandResult {
  server.stats.commandsProcessed++;
  const call = ctx instanceof Call && ctx.command === spec && ctx.client === client ? ctx : new Call(server, client, spec);
  return run(call, argv, null)!;
}

