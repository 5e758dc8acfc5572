// Shapes shared by the command table and the command modules.

import type { ClientState } from "../client.ts";
import type { Keyspace } from "../keyspace.ts";
import type { EventClass } from "../notifications.ts";
import type { Reply } from "../reply.ts";
import type { ServerState } from "../state.ts";

export interface CommandContext {
  readonly server: ServerState;
  readonly client: ClientState;
  /** The client's selected database. */
  readonly db: Keyspace;
  /** The command being run (for its full name in error messages). */
  readonly command: CommandSpec;
  /**
   * What to send to the AOF and replicas instead of the command as given, when
   * it changed data (e.g. BLPOP served -> LPOP, EXPIRE -> PEXPIREAT). Several
   * commands may be given. Without a call, a command that changed data is
   * propagated verbatim.
   */
  propagate(...commands: Buffer[][]): void;
  /**
   * Sends a keyspace notification (notifications.ts) about `key` in the
   * client's database (or `db`). A handler that calls it names all its
   * events; otherwise they are worked out from the keys it changed.
   */
  notify(cls: EventClass, event: string, key: Buffer, db?: number): void;
}

/**
 * Returned by a blocking command (BLPOP, XREAD BLOCK, WAIT) that cannot be
 * served now. The client stops processing input until `retry` succeeds
 * (after one of `keys` changed, or when the server asks waiters on no key to
 * retry) or the deadline passes. Clients blocked on a key are retried in the
 * order they blocked. Inside MULTI/EXEC a command never blocks: `timeout()`
 * is replied at once.
 */
export interface BlockRequest {
  readonly kind: "block";
  /** Keys (in the client's database) whose change may serve the request. */
  readonly keys: readonly string[];
  /** Deadline in ms since the epoch; 0 waits forever. */
  readonly deadline: number;
  /** The reply if the request can be served now (it may change data), else undefined. */
  retry(ctx: CommandContext): Reply | undefined;
  /** The reply when the deadline passes. */
  timeout(): Reply;
}

export type CommandResult = Reply | BlockRequest;

/** `argv` is the whole request, argv[0] being the command name. */
export type CommandHandler = (ctx: CommandContext, argv: Buffer[]) => CommandResult;

export interface CommandSpec {
  /** Full lower-case name: "get", or "container|sub" for a subcommand. */
  readonly name: string;
  /**
   * Redis's arity convention, counting the name itself: N > 0 means exactly
   * N arguments, -N means at least N.
   */
  readonly arity: number;
  /** Command flags as COMMAND reports them: "write", "readonly", "denyoom", "fast", ... */
  readonly flags: readonly string[];
  /** Positions of key arguments (COMMAND's first key, last key, step). */
  readonly keys: { readonly first: number; readonly last: number; readonly step: number };
  /** ACL categories as COMMAND reports them: "@read", "@string", ... */
  readonly categories: readonly string[];
  /** Documentation (COMMAND DOCS). */
  readonly group: string;
  readonly summary: string;
  readonly since: string;
  /** Absent only on a container whose bare form is not a command (CONFIG). */
  readonly handler?: CommandHandler;
  /** Subcommands by lower-case name (CONFIG GET is "get" under "config"). */
  readonly subcommands?: ReadonlyMap<string, CommandSpec>;
}

/** Top-level commands by lower-case name. */
export type CommandTable = Map<string, CommandSpec>;

/**
 * Runs before a command executes (not when it is queued by MULTI); a reply
 * refuses the command with that reply (e.g. OOM under maxmemory).
 */
export type BeforeCommandHook = (ctx: CommandContext, argv: Buffer[]) => Reply | undefined;
