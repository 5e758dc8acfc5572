/** The syscraft commands answer a mistake with one clear line and exit 2, never a stack trace (seen: `bun run stages --help`, `bun run init redsi`). */
import { expect, test } from "bun:test";
import { ROOT } from "../paths.ts";
import { selfTests } from "../self-test.ts";

function cli(args: string[]): { code: number; out: string; err: string } {
  const r = Bun.spawnSync(["bun", ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe", env: { ...process.env, SYSCRAFT_IMPL: undefined } });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

selfTests("syscraft commands on bad arguments", () => {
  test("--help prints the usage and exits 0", () => {
    for (const command of ["stages", "init", "bench", "progress", "grade"]) {
      const r = cli([`harness/cli/${command}.ts`, "--help"]);
      expect([command, r.code, r.out.startsWith("usage: bun run ")]).toEqual([command, 0, true]);
    }
  });

  test("an unknown challenge is one line naming the closest one, exit 2", () => {
    for (const args of [["stages", "redsi"], ["init", "redsi", "/tmp/syscraft-never-created"], ["bench", "redsi"], ["progress", "redsi"], ["grade", "redsi"]]) {
      const r = cli([`harness/cli/${args[0]}.ts`, ...args.slice(1)]);
      expect([args[0], r.code, r.err.trim().split("\n").length, r.out]).toEqual([args[0], 2, 1, ""]);
      expect(r.err).toStartWith(`${args[0]}: no challenge named "redsi" (did you mean redis?)`);
    }
  });

  test("an unknown flag names the closest known one; a flag without its value is refused", () => {
    expect(cli(["harness/cli/bench.ts", "redis", "--imp=x"]).err.trim()).toBe("bench: unknown flag --imp (did you mean --impl?) (usage: bun run bench --help)");
    expect(cli(["harness/cli/progress.ts", "--impl"]).err.trim()).toBe("progress: --impl needs a value (usage: bun run progress --help)");
    expect(cli(["harness/cli/stages.ts", "--all"]).code).toBe(2);
  });
});
