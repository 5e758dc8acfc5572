/**
 * The learner's GitHub workflow (written by bun run init from
 * templates/syscraft-workflow.yml): its shell steps run here, in order, as
 * the runner would run them — on a learner repository made by init, with a
 * fresh clone of this checkout as .syscraft — as far as this machine can (the
 * `uses:` steps are the checkout and setup actions; their effect is made by hand).
 */
import { expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { loadAllChallenges, loadChallenge } from "../challenge/load.ts";
import { allStages } from "../challenge/stages.ts";
import { ROOT } from "../paths.ts";
import { makeTempDir, removeTempDir } from "../process/tempdir.ts";
import { selfTests } from "../self-test.ts";
import { REPO_PLACEHOLDER, WORKFLOW_PATH, workflowText } from "./workflow.ts";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  "working-directory"?: string;
}

function steps(text: string): Step[] {
  return (parse(text) as { jobs: { grade: { steps: Step[] } } }).jobs.grade.steps;
}

function sh(script: string, cwd: string, env: Record<string, string>) {
  const r = Bun.spawnSync(["bash", "-eo", "pipefail", "-c", script], { cwd, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, output: r.stdout.toString() + r.stderr.toString() };
}

selfTests("the learner's GitHub workflow", () => {
  for (const c of loadAllChallenges()) {
    test(`${c.slug}: installs only what ${c.slug} needs and grades the stage syscraft.yml names${allStages(c).some((s) => s.needs?.includes("root")) ? ", as root" : ""}`, () => {
      const text = workflowText(c, undefined);
      const runs = steps(text).flatMap((s) => (s.run ? [s.run] : []));
      expect(text).toContain(`SYSCRAFT_REPO: ${REPO_PLACEHOLDER}`);
      expect(runs.join("\n")).toContain(`bun run setup ${c.slug}`);
      expect(runs.join("\n")).toContain('--stage-file="$GITHUB_WORKSPACE/syscraft.yml"');
      expect(runs.join("\n")).toContain('--summary-md="$GITHUB_STEP_SUMMARY"');
      expect(runs.join("\n").includes("sudo ")).toBe(allStages(c).some((s) => s.needs?.includes("root")));
    });
  }

  test("its steps, in order, on a repository made by bun run init: red on the untouched starter, green once the stage in syscraft.yml passes", () => {
    const work = makeTempDir("workflow");
    try {
      const repo = join(work, "my-redis");
      const init = Bun.spawnSync(["bun", "harness/cli/init.ts", "redis", repo], { cwd: ROOT, env: { ...process.env, SYSCRAFT_CONFIG: join(work, "local.yaml") }, stdout: "pipe", stderr: "pipe" });
      expect(init.exitCode).toBe(0);
      const workflow = readFileSync(join(repo, WORKFLOW_PATH), "utf8");
      expect(workflow).toBe(workflowText(loadChallenge("redis"), undefined));
      expect(readFileSync(join(repo, "syscraft.yml"), "utf8")).toContain("stage: redis/1");
      // uses: actions/checkout of syscraft into .syscraft (this checkout's committed state, as on GitHub), and setup-bun (bun is here).
      const clone = Bun.spawnSync(["git", "clone", "-q", "--no-hardlinks", ROOT, join(repo, ".syscraft")], { stderr: "pipe" });
      expect(clone.exitCode).toBe(0);
      const run = (summary: string) => {
        const env = { GITHUB_WORKSPACE: repo, GITHUB_STEP_SUMMARY: summary, SYSCRAFT_CONFIG: join(work, "none.yaml") };
        for (const s of steps(workflow)) {
          if (!s.run) continue;
          const r = sh(s.run, join(repo, s["working-directory"] ?? "."), env);
          if (r.code !== 0) return { step: s.name ?? s.run, ...r };
        }
        return { step: undefined, code: 0, output: "" };
      };
      // The starter as init wrote it fails stage 1: the grade step fails, and the summary says which stage.
      const red = run(join(work, "red.md"));
      expect(red.step).toBe("Grade the stage in syscraft.yml");
      expect(red.code).toBe(1);
      expect(readFileSync(join(work, "red.md"), "utf8")).toContain("| redis/1 | ❌ failed |");
      // A program that passes stages 1-2, with syscraft.yml bumped to redis/2: the whole workflow passes.
      writeFileSync(join(repo, "your_program.sh"), `#!/bin/sh\nexec bun "${join(repo, ".syscraft", "solutions", "redis", "main.ts")}" "$@"\n`, { mode: 0o755 });
      writeFileSync(join(repo, "syscraft.yml"), "stage: redis/2\n");
      const green = run(join(work, "green.md"));
      expect(green).toEqual({ step: undefined, code: 0, output: "" });
      const table = readFileSync(join(work, "green.md"), "utf8");
      expect(table).toContain("| redis/1 | ✅ passed |");
      expect(table).toContain("| redis/2 | ✅ passed |");
      expect(table).not.toContain("redis/3");
      expect((JSON.parse(readFileSync(join(repo, ".syscraft", "results.json"), "utf8")) as { ok: boolean }).ok).toBe(true);
      expect(existsSync(join(repo, ".syscraft", "results.xml"))).toBe(true);
    } finally {
      removeTempDir(work);
    }
  }, 180000);
});
