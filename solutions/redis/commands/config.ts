// CONFIG GET. https://redis.io/commands/config-get/
// Each argument is a setting name or a glob pattern (matched without regard
// to case); the reply is a flat array of name/value pairs, each setting at
// most once. An exact name is echoed as the client spelled it, as Redis does.

import { array, bulkBinary, bulkText, type Reply } from "../reply.ts";
import { compileGlob } from "../glob.ts";
import { byteString } from "../text.ts";
import type { CommandDefinition } from "./define.ts";

export const configCommands: readonly CommandDefinition[] = [
  {
    name: "config",
    arity: -2,
    group: "server",
    summary: "A container for server configuration commands",
    since: "2.0.0",
    subcommands: [
      {
        name: "get",
        arity: -3,
        flags: ["admin", "noscript", "loading", "stale"],
        categories: ["@admin", "@dangerous"],
        group: "server",
        summary: "Get the values of configuration parameters",
        since: "2.0.0",
        handler: (ctx, argv) => {
          const config = ctx.server.config;
          const seen = new Set<string>();
          const out: Reply[] = [];
          const add = (shown: Reply, name: string, value: string) => {
            if (seen.has(name)) return;
            seen.add(name);
            out.push(shown, bulkText(value));
          };
          for (const arg of argv.slice(2)) {
            const pattern = byteString(arg);
            if (!/[[*?]/.test(pattern)) {
              const value = config.get(pattern);
              if (value !== undefined) add(bulkBinary(pattern), pattern.toLowerCase(), value);
              continue;
            }
            const matches = compileGlob(pattern, true);
            for (const [name, value] of config.entries()) if (matches(name)) add(bulkText(name), name, value);
          }
          return array(out);
        },
      },
    ],
  },
];
