import { expect, test } from "bun:test";
import { loadChallenge } from "../challenge/load.ts";
import { ROOT } from "../paths.ts";
import { selfTests } from "../self-test.ts";
import { runCase } from "../stage/run-case.ts";
import type { CaseContext } from "../stage/context.ts";
import type { StageDefinition } from "../stage/types.ts";
import { startBackground } from "./background.ts";

/** Pids of `sleep <marker>` processes still running. */
function sleepers(marker: number): number[] {
  const out = Bun.spawnSync(["pgrep", "-x", "-f", `sleep ${marker}`]).stdout.toString().trim();
  return out === "" ? [] : out.split("\n").map(Number);
}

function marker(): number {
  return 9000 + Math.floor(Math.random() * 900);
}

/** Runs `body` as the only case of a synthetic stage; returns the case's result. */
async function runOne(body: (t: CaseContext) => Promise<void>, timeout = 5) {
  const challenge = loadChallenge("redis");
  const def: StageDefinition = { challenge, stage: challenge.stages[0]!, file: "(synthetic)", cases: [{ name: "background", timeout, run: body }] };
  return runCase(def, def.cases[0]!, { command: "true", base: ROOT, source: "flag or SYSCRAFT_IMPL" });
}

selfTests("background clients", () => {
  test("a background client's whole process group is stopped when the case ends", async () => {
    const m = marker();
    let seen = 0;
    const r = await runOne(async (t) => {
      const bg = startBackground(t, "coreutils", ["/bin/sh", "-c", `sleep ${m} & sleep ${m} & echo ready; wait`]);
      const out = await bg.waitForOutput("ready", 2000);
      expect(out).toBe("ready\n");
      expect(bg.output()).toBe("ready\n");
      seen = sleepers(m).length;
    });
    expect(r.ok).toBe(true);
    expect(seen).toBe(2);
    expect(sleepers(m)).toEqual([]);
  });

  test("waitForOutput is bounded: it fails after its time-out with what was printed, and the group is stopped", async () => {
    const m = marker();
    const t0 = performance.now();
    const r = await runOne(async (t) => {
      const bg = startBackground(t, "coreutils", ["/bin/sh", "-c", `echo partial; sleep ${m}`]);
      await bg.waitForOutput((out) => out.includes("never printed"), 300, { message: "Waiting for a line that never comes." });
    });
    const took = performance.now() - t0;
    expect(r.ok).toBe(false);
    expect(r.message).toContain("Waiting for a line that never comes.");
    expect(r.message).toContain("it did not within 0.3 s");
    expect(r.message).toContain("partial");
    expect(r.message).toMatch(/\$ \/bin\/sh -c .* &\n/);
    expect(took).toBeLessThan(3000);
    expect(sleepers(m)).toEqual([]);
  });

  test("waitForOutput stops waiting as soon as the client exits", async () => {
    const t0 = performance.now();
    const r = await runOne(async (t) => {
      const bg = startBackground(t, "coreutils", ["/bin/sh", "-c", "echo bye; exit 3"]);
      await bg.waitForOutput("never printed", 4000);
    });
    expect(r.ok).toBe(false);
    expect(r.message).toContain("it exited (code 3) first");
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  test("a wait cannot outlast the case's time limit", async () => {
    const t0 = performance.now();
    const r = await runOne(async (t) => {
      const bg = startBackground(t, "coreutils", ["/bin/sh", "-c", "sleep 30"]);
      await bg.waitForOutput("never printed", 60_000);
    }, 1);
    expect(r.ok).toBe(false);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
