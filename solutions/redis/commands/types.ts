// Shapes shared by the command table and the command modules.

import type { ClientState } from "../client.ts";
import type { Keyspace } from "../keyspace.ts";
import type { Reply } from "../reply.ts";
import type { ServerState } from "../state.ts";

export interface CommandContext {
  readonly server: ServerState;
  readonly client: ClientState;
  /** The client's selected database. */
  readonly db: Keyspace;
  /** The command being run (for its full name in error messages). */
  readonly command: CommandSpec;
}

/** `argv` is the whole request, argv[0] being the command name. */
export type CommandHandler = (ctx: CommandContext, argv: Buffer[]) => Reply;

export interface CommandSpec {
  /** Full lower-case name: "get", or "container|sub" for a subcommand. */
  readonly name: string;
  /**
   * Redis's arity convention, counting the name itself: N > 0 means exactly
   * N arguments, -N means at least N.
   */
  readonly arity: number;
  /** Command flags as COMMAND reports them: "write", "readonly", "fast", ... */
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
