/** The project's own consistency: layout, docs beside every stage, and strict type checking. */
import { expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadAllChallenges, stageDocFile, stageTestFile } from "./challenge/load.ts";
import { ROOT } from "./paths.ts";
import { selfTests } from "./self-test.ts";

selfTests("project layout", () => {
  for (const c of loadAllChallenges()) {
    test(`${c.slug}: every stage has its tests and instructions citing its spec`, () => {
      const problems: string[] = [];
      for (const s of c.stages) {
        if (!existsSync(stageTestFile(c, s))) problems.push(`missing ${stageTestFile(c, s)}`);
        const doc = stageDocFile(c, s);
        if (!existsSync(doc)) {
          problems.push(`missing ${doc}`);
          continue;
        }
        const text = readFileSync(doc, "utf8");
        for (const ref of s.spec) if (!text.includes(ref.url)) problems.push(`${doc} does not cite ${ref.url}`);
      }
      expect(problems).toEqual([]);
    });

    test(`${c.slug}: the reference solution exists`, () => {
      const words = c.program.reference.split(/\s+/);
      expect(words.some((w) => w.includes("/") && existsSync(join(ROOT, w)))).toBe(true);
    });
  }

  test("TypeScript strict type check passes (tsc --noEmit)", () => {
    const r = Bun.spawnSync([join(ROOT, "node_modules/.bin/tsc"), "--noEmit", "-p", ROOT], { cwd: ROOT });
    const out = r.stdout.toString() + r.stderr.toString();
    if (r.exitCode !== 0) throw new Error(out);
  }, 120000);
});
