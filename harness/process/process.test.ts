import { expect, test } from "bun:test";
import { join } from "node:path";
import { loadChallenge } from "../challenge/load.ts";
import { ROOT } from "../paths.ts";
import { selfTests } from "../self-test.ts";
import { runCase } from "../stage/run-case.ts";
import type { StageDefinition } from "../stage/types.ts";
import { groupMembers } from "./reaper.ts";
import { GroupProcess } from "./spawn.ts";

const LISTENER = join(ROOT, "harness/fixtures/generic/listener.sh");

/** Pids of `sleep <marker>` processes still running. */
function sleepers(marker: number): number[] {
  const out = Bun.spawnSync(["pgrep", "-x", "-f", `sleep ${marker}`]).stdout.toString().trim();
  return out === "" ? [] : out.split("\n").map(Number);
}

function marker(): number {
  return 5000 + Math.floor(Math.random() * 4000);
}

selfTests("processes, ports and clean-up", () => {
  test("ports claimed by concurrent test processes never collide", async () => {
    const script = `import { allocatePort } from "${join(ROOT, "harness/process/ports.ts")}";
      const ports = []; for (let i = 0; i < 40; i++) ports.push(await allocatePort());
      console.log(JSON.stringify(ports)); await Bun.sleep(300);`;
    const procs = [0, 1, 2].map(() => Bun.spawn(["bun", "-e", script], { stdout: "pipe" }));
    const lists = await Promise.all(procs.map(async (p) => JSON.parse(await new Response(p.stdout).text()) as number[]));
    const all = lists.flat();
    expect(all.length).toBe(120);
    expect(new Set(all).size).toBe(120);
  });

  test("stopping a program ends its whole process group, children included", async () => {
    const m = marker();
    const p = new GroupProcess(["/bin/sh", "-c", `sleep ${m} & sleep ${m} & wait`], { cwd: ROOT });
    await Bun.sleep(200);
    expect(sleepers(m).length).toBe(2);
    await p.stop();
    expect(groupMembers(p.pid)).toEqual([]);
    expect(sleepers(m)).toEqual([]);
  });

  test("a program that ignores SIGTERM gets SIGKILL after the 2 s grace period", async () => {
    const m = marker();
    const p = new GroupProcess(["/bin/sh", "-c", `trap '' TERM; sleep ${m} & wait; wait`], { cwd: ROOT });
    await Bun.sleep(200);
    const t0 = performance.now();
    await p.stop(2000);
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(4000);
    expect(sleepers(m)).toEqual([]);
  });

  test("a case that runs out of time fails, and its program and children are stopped", async () => {
    const m = marker();
    const challenge = loadChallenge("redis");
    const def: StageDefinition = {
      challenge,
      stage: challenge.stages[0]!,
      file: "(synthetic)",
      cases: [
        {
          name: "waits forever",
          timeout: 1,
          async run(t) {
            await t.start();
            await new Promise(() => {});
          },
        },
      ],
    };
    const r = await runCase(def, def.cases[0]!, { command: `${LISTENER} ${m}`, base: ROOT, source: "flag or SYSCRAFT_IMPL" });
    expect(r.ok).toBe(false);
    expect(r.message).toContain("This case did not finish within 1 s.");
    expect(r.message).toContain(`$ ${LISTENER} ${m} --port`);
    expect(sleepers(m)).toEqual([]);
  });

  test("Ctrl-C during a test run leaves no process behind", async () => {
    const m = marker();
    const run = Bun.spawn(["bun", "test", "--stage-only=redis/7", `--impl=${LISTENER} ${m}`], { cwd: ROOT, stdout: "ignore", stderr: "ignore" });
    const deadline = Date.now() + 8000;
    while (sleepers(m).length === 0 && Date.now() < deadline) await Bun.sleep(50);
    expect(sleepers(m).length).toBeGreaterThan(0);
    run.kill("SIGINT");
    await run.exited;
    await Bun.sleep(100);
    expect(sleepers(m)).toEqual([]);
  }, 20000);
});
