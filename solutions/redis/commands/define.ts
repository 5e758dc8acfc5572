// A compact way for command modules to declare their commands.

import type { CommandHandler, CommandSpec } from "./types.ts";

export interface CommandDefinition {
  name: string;
  arity: number;
  flags?: readonly string[];
  /** [first, last, step]; omit for commands without key arguments. */
  keys?: readonly [number, number, number];
  /** Extra ACL categories; "@read"/"@write", "@<group>" and "@fast"/"@slow" are derived. */
  categories?: readonly string[];
  group: string;
  summary: string;
  since: string;
  handler?: CommandHandler;
  subcommands?: readonly CommandDefinition[];
}

/** Groups that are also ACL categories of their commands. */
const CATEGORY_GROUPS = new Set(["string", "keyspace", "connection", "list", "hash", "set", "sortedset", "stream", "pubsub"]);

function deriveCategories(def: CommandDefinition, flags: readonly string[]): string[] {
  const out: string[] = [];
  if (flags.includes("write")) out.push("@write");
  if (flags.includes("readonly")) out.push("@read");
  if (CATEGORY_GROUPS.has(def.group)) out.push(`@${def.group}`);
  out.push(flags.includes("fast") ? "@fast" : "@slow");
  for (const c of def.categories ?? []) if (!out.includes(c)) out.push(c);
  return out;
}

/** Turns a definition (and its subcommands) into a CommandSpec. */
export function defineCommand(def: CommandDefinition, parent?: string): CommandSpec {
  const name = parent === undefined ? def.name : `${parent}|${def.name}`;
  const flags = def.flags ?? [];
  const [first, last, step] = def.keys ?? [0, 0, 0];
  const spec: CommandSpec = {
    name,
    arity: def.arity,
    flags,
    keys: { first, last, step },
    categories: deriveCategories(def, flags),
    group: def.group,
    summary: def.summary,
    since: def.since,
    ...(def.handler ? { handler: def.handler } : {}),
    ...(def.subcommands
      ? { subcommands: new Map(def.subcommands.map((s) => [s.name, defineCommand(s, def.name)])) }
      : {}),
  };
  return spec;
}
