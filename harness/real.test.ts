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
import { runStagesInSubprocess } from "./stage/subprocess.ts";

selfTests("stages agree with the real implementations", () => {
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
      test(`${name} ${info.name} passes against ${real.command}`, async () => {
        if (!hasBinary(binary)) throw new Error(`${binary} is not installed: install the package ${real.package} (or run bun run setup)`);
        const run = await runStagesInSubprocess({ selection: `--stage-only=${name}`, flags: ["--real"], stdio: "capture" });
        const failed = run.results.filter((r) => !r.ok);
        if (failed.length > 0 || run.exitCode !== 0) throw new Error(failed.map((r) => r.message).join("\n\n") || run.output);
        expect(run.results.length).toBeGreaterThan(0);
        expect(run.results.every((r) => r.caseCount === run.results.length)).toBe(true);
      }, 120000);
    }
  }
});
