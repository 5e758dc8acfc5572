import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { GitCase } from "../../challenges/git/clients/git.ts";
import { randomText } from "../../challenges/git/clients/git-repo.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const LAYOUT = "A repository is a .git directory holding HEAD (the text `ref: refs/heads/master` and a newline, or another branch), an objects/ directory and a refs/ directory with heads/ and tags/ inside. A config file is optional; if you write one, real git must be able to parse it (`[core]` then `\\trepositoryformatversion = 0`).";

const PARENTS = "With a directory argument, git init creates that directory and its parents (like mkdir -p: here neither exists yet), then the repository inside it.";

/** init's message names the new .git; then the layout must be there. */
function expectInitialized(t: CaseContext, workTree: string, stdout: string): void {
  t.expectEqual(stdout, `Initialized empty Git repository in ${realpathSync(workTree)}/.git/\n`, {
    message: "init should say where it made the repository.",
    hint: "Print `Initialized empty Git repository in <absolute path of .git>/` and a newline, as git does.",
  });
  expectLayout(t, workTree);
}

/** Fails naming the first part of .git that is missing. */
function expectLayout(t: CaseContext, workTree: string): void {
  const git = join(workTree, ".git");
  for (const dir of ["", "objects", "refs", "refs/heads", "refs/tags"]) {
    const path = join(git, dir);
    if (!existsSync(path) || !statSync(path).isDirectory()) t.fail({ message: `${path} should be a directory after init.`, hint: LAYOUT });
  }
  const head = join(git, "HEAD");
  if (!existsSync(head)) t.fail({ message: `${head} is missing after init.`, hint: LAYOUT });
  const text = readFileSync(head, "utf8");
  if (!/^ref: refs\/heads\/[^\s]+\n$/.test(text)) t.fail({ message: `.git/HEAD should name a branch.`, expected: "ref: refs/heads/master\n", received: text, hint: "HEAD is a symbolic ref: `ref: refs/heads/<branch>` followed by a newline (the branch need not exist yet)." });
}

export default stage(import.meta, [
  {
    name: "init makes a repository real git can commit to",
    async run(t) {
      const g = GitCase.start(t);
      const repo = g.dir("repo");
      const r = await g.ours(["init"], { cwd: repo });
      expectInitialized(t, repo, r.stdout);
      const gitDir = await g.git(["rev-parse", "--git-dir"], { cwd: repo, hint: LAYOUT });
      t.expectEqual(gitDir.stdout, ".git\n", { message: "Real git does not take the .git your program made as this directory's repository.", hint: LAYOUT });
      const head = await g.git(["symbolic-ref", "HEAD"], { cwd: repo, hint: LAYOUT });
      if (!head.stdout.startsWith("refs/heads/")) t.fail({ message: "HEAD should point to a branch.", expected: "refs/heads/master", received: head.stdout, hint: LAYOUT });
      g.writeFiles(repo, [{ path: `${t.rand.word()}.txt`, kind: "file", content: randomText(t.rand) }]);
      const subject = `first commit ${t.rand.int(1, 999)}`;
      await g.git(["add", "-A"], { cwd: repo });
      await g.git(["commit", "-q", "-m", subject], { cwd: repo });
      const log = await g.git(["log", "--format=%s"], { cwd: repo });
      t.expectEqual(log.stdout, `${subject}\n`, { message: "Real git could not commit to the repository your program made.", hint: LAYOUT });
      await g.fsck(repo, () => LAYOUT);
    },
  },
  {
    name: "init <directory> makes the directory and a repository in it",
    async run(t) {
      const g = GitCase.start(t);
      const top = g.dir("work");
      const sub = `${t.rand.word()}/${t.rand.word()}-${t.rand.int(1, 999)}`;
      const r = await g.ours(["init", sub], { cwd: top, hint: PARENTS });
      const repo = join(top, sub);
      if (!existsSync(repo)) t.fail({ message: `init ${sub} should create ${repo}.`, hint: PARENTS });
      expectInitialized(t, repo, r.stdout);
      const inside = await g.git(["rev-parse", "--is-inside-work-tree"], { cwd: repo, hint: LAYOUT });
      t.expectEqual(inside.stdout, "true\n", { message: "Real git does not see a work tree in the new directory.", hint: LAYOUT });
    },
  },
]);
