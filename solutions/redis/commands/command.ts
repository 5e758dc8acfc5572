// COMMAND, COMMAND COUNT, COMMAND INFO, COMMAND DOCS: introspection of the
// command table, in the RESP2 shapes Redis 7.0 uses (https://redis.io/commands/command/),
// so that redis-cli and redis-benchmark are satisfied. Key specs, tips and
// argument docs are reported empty / omitted.

import { array, bulkText, integer, NULL_BULK, simple, type Reply } from "../reply.ts";
import { asciiLower, byteString } from "../text.ts";
import type { CommandDefinition } from "./define.ts";
import type { CommandSpec, CommandTable } from "./types.ts";

/** One COMMAND INFO entry: name, arity, flags, first/last/step, ACL categories, tips, key specs, subcommands. */
function commandInfo(spec: CommandSpec): Reply {
  return array([
    bulkText(spec.name),
    integer(spec.arity),
    array(spec.flags.map(simple)),
    integer(spec.keys.first),
    integer(spec.keys.last),
    integer(spec.keys.step),
    array(spec.categories.map(simple)),
    array([]),
    array([]),
    array([...(spec.subcommands?.values() ?? [])].map(commandInfo)),
  ]);
}

/** One COMMAND DOCS entry (a map, flattened for RESP2). */
function commandDocs(spec: CommandSpec): Reply {
  const fields: Reply[] = [
    bulkText("summary"),
    bulkText(spec.summary),
    bulkText("since"),
    bulkText(spec.since),
    bulkText("group"),
    bulkText(spec.group),
  ];
  if (spec.subcommands) {
    const subs: Reply[] = [];
    for (const sub of spec.subcommands.values()) subs.push(bulkText(sub.name), commandDocs(sub));
    fields.push(bulkText("subcommands"), array(subs));
  }
  return array(fields);
}

/** Finds a command by name: "get", or "config|get" for a subcommand. */
function findByName(table: CommandTable, name: string): CommandSpec | undefined {
  const [base, sub] = asciiLower(name).split("|", 2);
  const spec = table.get(base!);
  return sub === undefined ? spec : spec?.subcommands?.get(sub);
}

const INTROSPECTION = {
  flags: ["loading", "stale"],
  categories: ["@connection"],
  group: "server",
} as const;

export const commandCommands: readonly CommandDefinition[] = [
  {
    name: "command",
    arity: -1,
    ...INTROSPECTION,
    summary: "Get array of Redis command details",
    since: "2.8.13",
    handler: (ctx) => array([...ctx.server.commands.values()].map(commandInfo)),
    subcommands: [
      {
        name: "count",
        arity: 2,
        ...INTROSPECTION,
        summary: "Get total number of Redis commands",
        since: "2.8.13",
        handler: (ctx) => integer(ctx.server.commands.size),
      },
      {
        name: "info",
        arity: -2,
        ...INTROSPECTION,
        summary: "Get array of specific Redis command details, or all when no argument is given",
        since: "2.8.13",
        handler: (ctx, argv) => {
          const table = ctx.server.commands;
          if (argv.length === 2) return array([...table.values()].map(commandInfo));
          return array(
            argv.slice(2).map((name) => {
              const spec = findByName(table, byteString(name));
              return spec ? commandInfo(spec) : NULL_BULK;
            }),
          );
        },
      },
      {
        name: "docs",
        arity: -2,
        ...INTROSPECTION,
        summary: "Get array of specific Redis command documentation",
        since: "7.0.0",
        handler: (ctx, argv) => {
          const table = ctx.server.commands;
          const specs =
            argv.length === 2
              ? [...table.values()]
              : argv.slice(2).flatMap((n) => findByName(table, byteString(n)) ?? []);
          return array(specs.flatMap((spec) => [bulkText(spec.name), commandDocs(spec)]));
        },
      },
    ],
  },
];
