import { cpSync, existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { GitCase } from "../../challenges/git/clients/git.ts";
import { joinLines, LineMaker } from "../../challenges/git/clients/git-diff.ts";
import { commitWithDate, linearHistory, writeNoted } from "../../challenges/git/clients/git-history.ts";
import { randomFiles, type RepoFile } from "../../challenges/git/clients/git-repo.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const NO_EDITOR = { GIT_MERGE_AUTOEDIT: "no" };
const FAST_FORWARD = "When HEAD's commit is an ancestor of the branch's, merge fast-forwards: check out the branch's tree (working tree and index) and move the current branch (the ref HEAD names, not HEAD itself) to the branch's commit; no new commit.";
const UP_TO_DATE = "When the branch's commit is already an ancestor of HEAD's, there is nothing to merge: change nothing (git prints `Already up to date.`).";
const MERGE_COMMIT =
  "A three-way merge starts from the merge base (the newest common ancestor): for each path, a side that did not change it takes the other side's version; a file both sides changed is merged line by line (changes that neither overlap nor touch both apply). Then write the tree, and a commit with that tree, two parents (HEAD's commit, then the branch's), author and committer from the environment, and the message `Merge branch '<branch>'` and a newline; move the current branch to it.";
const MARKERS =
  "Where both sides changed the same lines differently, the file gets git's conflict markers: `<<<<<<< HEAD`, our lines, `=======`, their lines, `>>>>>>> <branch>` (the name given to merge), each marker on its own line; the lines around the conflict, and changes elsewhere in the file, are merged as usual.";
const TOUCHING =
  "Changes of the two sides that touch — one side's changed lines end where the other's begin, as line 5 on one side and line 6 on the other — form one block: a conflict, whose two sides each hold both lines.";
const STAGES =
  "A conflicted path has no stage-0 entry: it has stage 1 (the merge base's blob), 2 (ours, HEAD's) and 3 (theirs, the branch's), each with its mode; the paths that merged cleanly have stage 0. Write MERGE_HEAD (the branch's commit id and a newline) and exit with a non-zero code (git: 1).";

/** Files of unique lines, so each side's edits and the conflict are unambiguous. */
function textFiles(t: CaseContext, make: LineMaker, n: number): RepoFile[] {
  return Array.from({ length: n }, (_, i) => ({ path: `${i % 2 === 0 ? "" : `${t.rand.word()}-dir/`}${t.rand.word()}-${i}.txt`, kind: "file", content: joinLines(make.lines(t.rand.int(14, 20))) }));
}

const linesOf = (f: RepoFile) => new TextDecoder().decode(f.content).split(/(?<=\n)/);

/** Replaces line `at` (0-based) of a file's committed version with new lines. */
function replaceLine(t: CaseContext, repo: string, f: RepoFile, make: LineMaker, at: number[], what: string): void {
  const lines = linesOf(f);
  for (const i of at) lines[i] = make.line();
  writeNoted(t, repo, f.path, joinLines(lines), what);
}

/** A base commit, a feature branch and master, each changing its own files, both changing one file far apart; `conflict` adds a line both change differently. */
async function divergedRepo(t: CaseContext, g: GitCase, conflict: boolean): Promise<{ repo: string; feature: string; conflicted: string[]; later: string }> {
  const make = new LineMaker(t.rand);
  const text = textFiles(t, make, 7);
  const touching = text[6]!;
  const same = { path: `${t.rand.word()}-same.txt`, content: joinLines(make.lines(4)) };
  const repo = await g.realRepo("ours", [...text, ...randomFiles(t.rand, { depth: 1 })]);
  await g.git(["add", "-A"], { cwd: repo });
  await commitWithDate(t, g, repo, 0);
  // The merge base is not the root: a file the base added and the feature branch deletes is deleted only when the merge starts from the newest common ancestor.
  const later = `${t.rand.word()}-later/${t.rand.word()}.txt`;
  writeNoted(t, repo, later, joinLines(make.lines(3)), "in a second commit (the merge base), wrote");
  await g.git(["add", "-A"], { cwd: repo });
  await commitWithDate(t, g, repo, 1);
  const feature = `${t.rand.word()}-feature`;
  const [shared, mineOnly, theirsOnly, goneOurs, goneTheirs, both] = text as [RepoFile, RepoFile, RepoFile, RepoFile, RepoFile, RepoFile];
  await g.git(["checkout", "-q", "-b", feature], { cwd: repo });
  replaceLine(t, repo, shared, make, [1], "on the feature branch, changed line 2 of");
  replaceLine(t, repo, theirsOnly, make, [5, 9], "on the feature branch, changed");
  rmSync(join(repo, goneTheirs.path));
  rmSync(join(repo, later));
  t.log.note(`on the feature branch, the test deleted ${goneTheirs.path} and ${later}`);
  writeNoted(t, repo, `${t.rand.word()}-theirs.txt`, joinLines(make.lines(5)), "on the feature branch, wrote");
  if (conflict) replaceLine(t, repo, both, make, [7], "on the feature branch, changed line 8 of");
  if (conflict) replaceLine(t, repo, touching, make, [5], "on the feature branch, changed line 6 of");
  writeNoted(t, repo, same.path, same.content, "on the feature branch, wrote (the same file on both sides)");
  await g.git(["add", "-A"], { cwd: repo });
  await commitWithDate(t, g, repo, 2);
  await g.git(["checkout", "-q", "master"], { cwd: repo });
  replaceLine(t, repo, shared, make, [linesOf(shared).length - 2], "on master, changed the line before the last of");
  replaceLine(t, repo, mineOnly, make, [3], "on master, changed");
  rmSync(join(repo, goneOurs.path));
  t.log.note(`on master, the test deleted ${goneOurs.path}`);
  writeNoted(t, repo, `${t.rand.word()}-ours/${t.rand.word()}.txt`, joinLines(make.lines(4)), "on master, wrote");
  if (conflict) replaceLine(t, repo, both, make, [7], "on master, changed line 8 of");
  // Changes that touch (line 5 here, line 6 there) do not overlap, yet conflict.
  if (conflict) replaceLine(t, repo, touching, make, [4], "on master, changed line 5 (next to the feature branch's line 6) of");
  writeNoted(t, repo, same.path, same.content, "on master, wrote (the same file on both sides)");
  await g.git(["add", "-A"], { cwd: repo });
  await commitWithDate(t, g, repo, 3);
  return { repo, feature, conflicted: conflict ? [both.path, touching.path] : [], later };
}

/** A copy of the repository where real git runs the same command. */
function twin(t: CaseContext, repo: string): string {
  const copy = join(t.dir, "theirs");
  cpSync(repo, copy, { recursive: true, verbatimSymlinks: true });
  t.log.command(`cp -a ${repo} ${copy}`);
  return copy;
}

async function rev(g: GitCase, repo: string, name: string): Promise<string> {
  return (await g.git(["rev-parse", "-q", "--verify", name], { cwd: repo, allowFail: true })).stdout.trim();
}

async function expectClean(t: CaseContext, g: GitCase, repo: string, how: string, hint: string): Promise<void> {
  const status = (await g.git(["status", "--porcelain"], { cwd: repo })).stdout;
  t.expectEqual(status, "", { message: `After ${how}, real git's status --porcelain should be empty: the working tree and the index should hold the new HEAD's tree.`, hint });
}

/** Which part of the merge commit differs from real git's: parents, tree or message. */
async function mergeCommitHint(g: GitCase, ours: string, theirs: string): Promise<string> {
  const show = async (repo: string) => (await g.git(["cat-file", "-p", "HEAD"], { cwd: repo })).stdout;
  const [o, r] = [await show(ours), await show(theirs)];
  const lines = (s: string, p: string) => s.split("\n").filter((l) => l.startsWith(p)).join("\n");
  if (lines(o, "parent") !== lines(r, "parent")) return `The merge commit's parents differ (expected ${lines(r, "parent").replace(/\n/g, ", ")}). ${MERGE_COMMIT}`;
  if (lines(o, "tree") !== lines(r, "tree")) return `The merged tree differs from real git's; compare \`git ls-tree -r HEAD\` in both repositories. ${MERGE_COMMIT}`;
  return `The merge commit's header or message differs:\n${o}\nreal git's:\n${r}\n${MERGE_COMMIT}`;
}

export default stage(import.meta, [
  {
    name: "merge fast-forwards when HEAD is behind, and does nothing when the branch is merged",
    async run(t) {
      const g = GitCase.start(t);
      const repo = await g.realRepo("repo", randomFiles(t.rand, { depth: 2 }));
      await g.git(["add", "-A"], { cwd: repo });
      const base = await commitWithDate(t, g, repo, 0);
      const feature = `${t.rand.word()}-feature`;
      await g.git(["checkout", "-q", "-b", feature], { cwd: repo });
      await linearHistory(t, g, repo, 2);
      await g.git(["rm", "-q", "-r", (await g.git(["ls-files"], { cwd: repo })).stdout.split("\n")[0]!], { cwd: repo });
      const last = await commitWithDate(t, g, repo, 3);
      await g.git(["checkout", "-q", "master"], { cwd: repo });
      await g.ours(["merge", feature], { cwd: repo, env: NO_EDITOR });
      t.expectEqual(await rev(g, repo, "HEAD"), last, { message: `After merge ${feature} on master (an ancestor of ${feature}), HEAD should be ${feature}'s commit.`, hint: FAST_FORWARD });
      const head = (await g.git(["symbolic-ref", "-q", "HEAD"], { cwd: repo, allowFail: true })).stdout.trim();
      t.expectEqual(head, "refs/heads/master", { message: "After a fast-forward, HEAD should still name master.", hint: FAST_FORWARD });
      await expectClean(t, g, repo, `merge ${feature}`, FAST_FORWARD);
      await g.git(["branch", "-q", `${feature}-old`, base], { cwd: repo });
      await g.ours(["merge", `${feature}-old`], { cwd: repo, env: NO_EDITOR });
      t.expectEqual(await rev(g, repo, "HEAD"), last, { message: `After merge ${feature}-old (already merged), HEAD should not move.`, hint: UP_TO_DATE });
      await expectClean(t, g, repo, `merge ${feature}-old`, UP_TO_DATE);
    },
  },
  {
    name: "merge of changes on both sides makes the merge commit real git makes",
    async run(t) {
      const g = GitCase.start(t);
      const { repo, feature, later } = await divergedRepo(t, g, false);
      const theirs = twin(t, repo);
      const before = await rev(g, repo, "HEAD");
      const ours = await t.run(["merge", feature], { cwd: repo, env: { ...g.env, ...NO_EDITOR } });
      if (ours.code !== 0) t.fail({ message: `merge ${feature} exited with code ${ours.code}, but no line is changed differently by both sides (real git merges cleanly and exits with 0).`, hint: `If both sides made the same change (here: the same new file), take it. ${MERGE_COMMIT}` });
      await g.git(["merge", feature], { cwd: theirs, env: NO_EDITOR });
      const [o, r] = [await rev(g, repo, "HEAD"), await rev(g, theirs, "HEAD")];
      if (o === before) t.fail({ message: `After merge ${feature}, HEAD is still the commit it was before: a clean merge moves the current branch to the merge commit.`, hint: MERGE_COMMIT });
      if (o !== r) t.fail({ message: `After merge ${feature}, HEAD should be the merge commit real git makes (same tree, parents, author, committer and message, so the same id).`, expected: r, received: o, hint: await mergeCommitHint(g, repo, theirs) });
      await expectClean(t, g, repo, `merge ${feature}`, MERGE_COMMIT);
      const gone = dirname(later);
      if (existsSync(join(repo, gone)) !== existsSync(join(theirs, gone))) t.fail({ message: `After merge ${feature}, which deletes ${later}, the directory ${gone}/ should be gone as after real git's merge.`, hint: `A file the merge deletes goes from the working tree, and so do the directories it leaves empty. ${MERGE_COMMIT}` });
    },
  },
  {
    name: "merge with a conflict writes markers and index stages as real git does",
    async run(t) {
      const g = GitCase.start(t);
      const { repo, feature, conflicted } = await divergedRepo(t, g, true);
      const theirs = twin(t, repo);
      const ours = await t.run(["merge", feature], { cwd: repo, env: { ...g.env, ...NO_EDITOR } });
      await g.git(["merge", feature], { cwd: theirs, env: NO_EDITOR, allowFail: true });
      if (ours.code !== 1) t.fail({ message: `merge ${feature} exited with code ${ours.code}, but ${conflicted.join(" and ")} have conflicts (real git exits with code 1).`, hint: STAGES });
      t.expectEqual(await rev(g, repo, "HEAD"), await rev(g, theirs, "HEAD"), { message: "A merge with conflicts makes no commit: HEAD should not move.", hint: STAGES });
      for (const [path, hint] of [[conflicted[0]!, MARKERS], [conflicted[1]!, `${TOUCHING} ${MARKERS}`]] as const) {
        const [o, r] = [readFileSync(join(repo, path), "latin1"), readFileSync(join(theirs, path), "latin1")];
        t.expectEqual(o, r, { message: `After merge ${feature}, the conflicted file ${path} differs from the one real git writes.`, hint });
      }
      const view = async (args: string[], cwd: string) => (await g.git(args, { cwd })).stdout;
      t.expectEqual(await view(["ls-files", "--stage"], repo), await view(["ls-files", "--stage"], theirs), { message: `After merge ${feature}, real git's ls-files --stage differs from the one after real git's merge.`, hint: STAGES });
      t.expectEqual(await view(["status", "--porcelain"], repo), await view(["status", "--porcelain"], theirs), { message: `After merge ${feature}, real git's status --porcelain differs from the one after real git's merge.`, hint: STAGES });
      t.expectEqual(await rev(g, repo, "MERGE_HEAD"), await rev(g, theirs, "MERGE_HEAD"), { message: "After a merge with conflicts, MERGE_HEAD should name the branch's commit.", hint: STAGES });
    },
  },
]);
