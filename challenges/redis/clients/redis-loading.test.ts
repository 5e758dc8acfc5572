import { expect, test } from "bun:test";
import { join } from "node:path";
import { loadChallenge } from "../../../harness/challenge/load.ts";
import { ROOT } from "../../../harness/paths.ts";
import { selfTests } from "../../../harness/self-test.ts";
import { runCase } from "../../../harness/stage/run-case.ts";
import type { StageDefinition } from "../../../harness/stage/types.ts";
import { redisCli } from "./redis.ts";

/** A server still loading its data answers -LOADING: redis-cli checks retry, as real clients do, within the case's limit. */
const LOADING = join(ROOT, "harness/process/hostile/loading.ts");

function pingCase(): StageDefinition {
  const challenge = loadChallenge("redis");
  return {
    challenge,
    stage: challenge.stages[0]!,
    file: "(synthetic)",
    cases: [
      {
        name: "PING replies PONG",
        timeout: 2,
        async run(t) {
          const program = await t.start();
          await redisCli(t, program).expect(["PING"], "PONG");
        },
      },
    ],
  };
}

selfTests("redis-cli checks wait out LOADING", () => {
  test("a server that answers LOADING for its first 400 ms passes once it has loaded", async () => {
    const def = pingCase();
    const r = await runCase(def, def.cases[0]!, { command: `bun ${LOADING} 400`, base: ROOT, source: "flag or SYSCRAFT_IMPL" });
    expect(r.message).toBe("");
    expect(r.ok).toBe(true);
  });

  test("a server that never stops answering LOADING fails at the case's limit, with LOADING in the transcript", async () => {
    const def = pingCase();
    const r = await runCase(def, def.cases[0]!, { command: `bun ${LOADING} forever`, base: ROOT, source: "flag or SYSCRAFT_IMPL" });
    expect(r.ok).toBe(false);
    expect(r.message).toContain("This case did not finish within 2 s.");
    expect(r.message).toContain("(error) LOADING Redis is loading the dataset in memory");
    expect(r.durationMs).toBeLessThan(2000 + 2500);
  });
});
