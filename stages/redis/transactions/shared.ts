// Helpers shared by the transactions stages.
import { REDIS_TOOLS, redisCli } from "../../../challenges/redis/clients/redis.ts";
import { StageFailure } from "../../../harness/report/failure.ts";
import { shellLine } from "../../../harness/report/show.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";

/**
 * Runs several commands on ONE connection, the way a learner would type them
 * into an interactive redis-cli: `printf '%s\n' 'MULTI' 'SET k v' 'EXEC' |
 * redis-cli -p N --no-raw`. Returns what redis-cli printed (one block per
 * command, without the final newline).
 */
export async function session(t: CaseContext, redis: Program, commands: readonly (readonly string[])[]): Promise<string> {
  const lines = commands.map((c) => c.join(" "));
  const argv = redisCli(t, redis).argv([]);
  const display = `${shellLine(["printf", "%s\\n", ...lines])} | ${shellLine(argv)}`;
  const r = await t.client(REDIS_TOOLS, argv, { stdin: lines.join("\n") + "\n", display });
  return r.output.replace(/\n$/, "");
}

/** Runs a session and fails unless redis-cli printed exactly `expected` (lines joined with "\n"). */
export async function expectSession(
  t: CaseContext,
  redis: Program,
  commands: readonly (readonly string[])[],
  expected: readonly string[],
  e: { message: string; hint?: string },
): Promise<void> {
  const got = await session(t, redis, commands);
  const want = expected.join("\n");
  if (got !== want) throw new StageFailure({ message: e.message, expected: want, received: got, hint: e.hint });
}
