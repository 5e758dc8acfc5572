/** The project's own consistency: layout, docs beside every stage (base and extension), and strict type checking. */
import { expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadAllChallenges, stageDocFile, stageTestFile } from "./challenge/load.ts";
import { allStages } from "./challenge/stages.ts";
import { ROOT, STAGES_DIR } from "./paths.ts";
import { selfTests } from "./self-test.ts";

/** Names in a directory (none if it does not exist). */
function entries(dir: string, dirs: boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() === dirs)
    .map((d) => d.name);
}

selfTests("project layout", () => {
  for (const c of loadAllChallenges()) {
    test(`${c.slug}: every stage (base and extension) has its tests and instructions citing its spec`, () => {
      const problems: string[] = [];
      for (const s of allStages(c)) {
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

    test(`${c.slug}: every extension file and stage folder is listed in challenge.yaml extensions:`, () => {
      const listed = c.extensions.map((e) => e.slug);
      const files = entries(join(dirname(c.file), "extensions"), false)
        .filter((n) => n.endsWith(".yaml"))
        .map((n) => n.slice(0, -".yaml".length));
      const folders = entries(join(STAGES_DIR, c.slug), true);
      const unlisted = [
        ...files.filter((e) => !listed.includes(e)).map((e) => `challenges/${c.slug}/extensions/${e}.yaml`),
        ...folders.filter((e) => !listed.includes(e)).map((e) => `stages/${c.slug}/${e}/`),
      ];
      expect(unlisted).toEqual([]);
    });

    test(`${c.slug}: its fixture checks are a test file, harness/fixtures/${c.slug}/fixtures.test.ts, calling fixtureChecks("${c.slug}")`, () => {
      const file = join(ROOT, "harness", "fixtures", c.slug, "fixtures.test.ts");
      const text = existsSync(file) ? readFileSync(file, "utf8") : "";
      expect(text).toContain(`fixtureChecks("${c.slug}")`);
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
