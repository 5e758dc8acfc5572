import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { GitCase } from "../../challenges/git/clients/git.ts";
import { stagedHint } from "../../challenges/git/clients/git-index.ts";
import { randomFiles, randomText } from "../../challenges/git/clients/git-repo.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const MODES = "The mode is the entry's 32-bit mode field printed in octal (100644, 100755, 120000), not a guess from the path.";
const MISSING =
  "Print one line per entry, in the index's order, reading exactly as many entries as the header says (each padded to a multiple of 8 bytes); skip the extensions (TREE, …) that follow the entries.";

/** The program's `ls-files` and `ls-files --stage` against real git's, in `repo`. */
async function expectLsFiles(t: CaseContext, g: GitCase, repo: string, what: string): Promise<void> {
  for (const args of [["ls-files"], ["ls-files", "--stage"], ["ls-files", "-s"]]) {
    const real = (await g.git(args, { cwd: repo })).stdout;
    const ours = (await g.ours(args, { cwd: repo, hint: MISSING })).stdout;
    const noStage = args.length > 1 && ours !== "" && !ours.includes("\t");
    const hint =
      args.length === 1
        ? `Without --stage, print each entry's path and a newline (a conflicted path once per stage). ${MISSING}`
        : noStage
          ? `With ${args[1]} (-s is the short form of --stage), print \`<mode> <id> <stage>\\t<path>\` for each entry, not only its path.`
          : stagedHint(ours, real, MODES, MISSING);
    t.expectEqual(ours, real, { message: `${args.join(" ")} of ${what} differs from real git's.`, hint });
  }
}

export default stage(import.meta, [
  {
    name: "ls-files lists the index real git wrote, after commits and further adds",
    async run(t) {
      const g = GitCase.start(t);
      const files = randomFiles(t.rand, { depth: 2 });
      const repo = await g.realRepo("repo", files);
      await g.commitAll(repo, "First");
      const changed = t.rand.pick(files.filter((f) => f.kind === "file"));
      writeFileSync(join(repo, changed.path), randomText(t.rand));
      const fresh = `${t.rand.word()}-added.txt`;
      writeFileSync(join(repo, fresh), randomText(t.rand));
      t.log.note(`the test changed ${changed.path} and wrote ${fresh}`);
      await g.git(["add", changed.path, fresh], { cwd: repo });
      await expectLsFiles(t, g, repo, "an index real git wrote (with its TREE extension)");
    },
  },
  {
    name: "ls-files --stage shows the three stages of a conflicted file",
    async run(t) {
      const g = GitCase.start(t);
      const files = randomFiles(t.rand, { depth: 1, width: 2 });
      const repo = await g.realRepo("repo", files);
      await g.commitAll(repo, "Base");
      const branch = (await g.git(["symbolic-ref", "--short", "HEAD"], { cwd: repo })).stdout.trim();
      const target = t.rand.pick(files.filter((f) => f.kind !== "symlink"));
      await g.git(["checkout", "-q", "-b", "side"], { cwd: repo });
      writeFileSync(join(repo, target.path), `side ${t.rand.word()}\n`);
      t.log.note(`the test changed ${target.path} on the branch side`);
      await g.commitAll(repo, "Side");
      await g.git(["checkout", "-q", branch], { cwd: repo });
      writeFileSync(join(repo, target.path), `main ${t.rand.word()}\n`);
      t.log.note(`the test changed ${target.path} on ${branch}`);
      await g.commitAll(repo, "Main");
      await g.git(["merge", "-q", "side"], { cwd: repo, allowFail: true });
      await expectLsFiles(t, g, repo, `an index with ${target.path} in conflict`);
    },
  },
]);
