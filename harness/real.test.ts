/**
 * The spec is the judge and the real system proves it: every stage of every
 * challenge that names a real implementation (challenge.yaml `real:`), base
 * and extension stages alike, must pass with that implementation plugged in.
 * A missing real implementation is a failure naming its package, never a skip.
 *
 * A stage marked `real_differs: "<reason>"` cannot agree with the real
 * implementation; it is not run against it, and instead a test, named with the
 * reason, checks that the stage's instructions explain it (quote the reason).
 */
import { expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { loadAllChallenges, stageDocFile } from "./challenge/load.ts";
import { allStages, stageName } from "./challenge/stages.ts";
import { hasBinary } from "./clients/require.ts";
import { ROOT } from "./paths.ts";
import { selfTests } from "./self-test.ts";
import { Ahead } from "./stage/ahead.ts";
import { runStagesInSubprocess } from "./stage/subprocess.ts";

const SUITE = "stages agree with the real implementations";

/** Each stage's run against the real implementation; two (one per core) run ahead of the tests that judge them. */
const jobs: { name: string; run: () => ReturnType<typeof runStagesInSubprocess> }[] = [];
for (const c of loadAllChallenges()) {
  if (!c.real) continue;
  for (const info of allStages(c)) {
    if (info.realDiffers !== undefined) continue;
    const name = stageName(c, info);
    jobs.push({ name: `${SUITE} ${name} ${info.name} passes against ${c.real.command}`, run: () => runStagesInSubprocess({ selection: `--stage-only=${name}`, flags: ["--real"], stdio: "capture", direct: true }) });
  }
}
const runs = new Ahead(jobs);

selfTests(SUITE, () => {
  let index = 0;
  for (const c of loadAllChallenges()) {
    const real = c.real;
    if (!real) continue;
    const binary = real.command.split(/\s+/)[0]!;
    for (const info of allStages(c)) {
      const name = stageName(c, info);
      const reason = info.realDiffers;
      if (reason !== undefined) {
        test(`${name} does not run against ${binary}: ${reason}`, () => {
          const doc = stageDocFile(c, info);
          const text = existsSync(doc) ? readFileSync(doc, "utf8") : "";
          if (!text.includes(reason)) throw new Error(`${relative(ROOT, doc)} must explain why ${name} does not run against ${binary}, quoting real_differs verbatim: "${reason}"`);
        });
        continue;
      }
      const job = index++;
      test(`${name} ${info.name} passes against ${real.command}`, async () => {
        if (!hasBinary(binary)) throw new Error(`${binary} is not installed: install the package ${real.package} (or run bun run setup)`);
        const run = await runs.result(job);
        const failed = run.results.filter((r) => !r.ok);
        if (failed.length > 0 || run.exitCode !== 0) throw new Error(failed.map((r) => r.message).join("\n\n") || run.output);
        expect(run.results.length).toBeGreaterThan(0);
        expect(run.results.every((r) => r.caseCount === run.results.length)).toBe(true);
      }, 120000);
    }
  }
});
