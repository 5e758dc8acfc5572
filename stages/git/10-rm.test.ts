import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GitCase } from "../../harness/clients/git.ts";
import { expectSameIndex, twinRepos, type Twins } from "../../harness/clients/git-index.ts";
import { randomFiles, randomText } from "../../harness/clients/git-repo.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const RM = "`rm <path>` removes the path's entry from the index and deletes the file (and directories it leaves empty); with -r a directory's entries go too; it prints `rm '<path>'` for each entry removed, in index order (-q: nothing).";
const CACHED = "`rm --cached` removes the entry from the index only: the file stays in the working tree, now untracked.";
const MISSING = "Remove exactly the entries at or below each path given, and keep every other entry.";

/** Runs `rm <args>` with the program in ours and real git in theirs; output, files and index must agree. */
async function rmBoth(t: CaseContext, g: GitCase, repos: Twins, args: string[]): Promise<void> {
  const ours = await g.ours(["rm", ...args], { cwd: repos.ours });
  const real = await g.git(["rm", ...args], { cwd: repos.theirs });
  t.expectEqual(ours.stdout, real.stdout, { message: `rm ${args.join(" ")} printed another output than real git's.`, hint: RM });
  for (const path of args.filter((a) => !a.startsWith("-"))) {
    const kept = existsSync(join(repos.theirs, path));
    if (existsSync(join(repos.ours, path)) !== kept) {
      t.fail({ message: `After rm ${args.join(" ")}, ${path} ${kept ? "should still be in the working tree" : "should be gone from the working tree"}.`, hint: args.includes("--cached") ? CACHED : RM });
    }
  }
  await expectSameIndex(t, g, repos, `rm ${args.join(" ")}`, { modes: "", missing: MISSING, status: args.includes("--cached") ? CACHED : RM });
}

export default stage(import.meta, [
  {
    name: "rm removes files from the index and the working tree, rm --cached from the index only",
    async run(t) {
      const g = GitCase.start(t);
      const files = randomFiles(t.rand, { depth: 2 });
      const repos = await twinRepos(g, files, "First");
      const plain = t.rand.shuffle(files.filter((f) => f.kind === "file" && f.path.includes("/")));
      await rmBoth(t, g, repos, [plain[0]!.path]);
      await rmBoth(t, g, repos, ["--cached", plain[1]!.path]);
    },
  },
  {
    name: "rm -r removes a directory's entries; rm --cached untracks a newly added file",
    async run(t) {
      const g = GitCase.start(t);
      const files = randomFiles(t.rand, { depth: 2 });
      const repos = await twinRepos(g, files, "First");
      const dirs = [...new Set(files.filter((f) => f.path.split("/").length > 2).map((f) => f.path.split("/").slice(0, 2).join("/")))];
      await rmBoth(t, g, repos, ["-r", t.rand.pick(dirs)]);
      const fresh = `${t.rand.word()}-new.txt`;
      const content = randomText(t.rand);
      for (const repo of [repos.ours, repos.theirs]) {
        writeFileSync(join(repo, fresh), content);
        await g.git(["add", fresh], { cwd: repo });
      }
      t.log.note(`in both repositories the test wrote and staged ${fresh}`);
      await rmBoth(t, g, repos, ["--cached", fresh]);
      const top = t.rand.pick(files.filter((f) => !f.path.includes("/")));
      await rmBoth(t, g, repos, ["-q", "--cached", top.path]);
    },
  },
]);
