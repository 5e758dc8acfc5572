import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { GitCase } from "../../challenges/git/clients/git.ts";
import { randomFiles, randomText } from "../../challenges/git/clients/git-repo.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const FORMAT =
  "A commit is `tree <id>\\n`, one `parent <id>\\n` per -p in order, `author <GIT_AUTHOR_NAME> <<GIT_AUTHOR_EMAIL>> <GIT_AUTHOR_DATE>\\n`, `committer …\\n` the same from GIT_COMMITTER_*, a blank line, then the message and a newline.";

/** Which line of the commit differs from real git's, as a hint. */
function commitHint(ours: string, real: string): string {
  const o = ours.split("\n");
  const r = real.split("\n");
  const i = r.findIndex((line, n) => line !== o[n]);
  const line = r[i] ?? "";
  if (line.startsWith("author ") || line.startsWith("committer ")) return `The ${line.split(" ")[0]} line comes from the environment: name, email in <>, then the date as given (here in git's internal format, \`<unix time> <+hhmm or -hhmm>\`, copied unchanged, the sign of the zone included). ${FORMAT}`;
  if (line.startsWith("parent ") || o[i]?.startsWith("parent ")) return `Write one parent line per -p, in the order given. ${FORMAT}`;
  if (i > 0 && r.slice(0, i).includes("")) return `The message follows the blank line, ending with a newline (git adds one after each -m); several -m are paragraphs, separated by a blank line. ${FORMAT}`;
  return FORMAT;
}

/** The program's commit-tree, then real git's with the same arguments and environment: same id, or a hint at the line that differs. */
async function commitTree(t: CaseContext, g: GitCase, repo: string, args: string[]): Promise<string> {
  const oid = g.expectOid(await g.ours(["commit-tree", ...args], { cwd: repo }), "commit-tree");
  const type = await g.git(["cat-file", "-t", oid], { cwd: repo, allowFail: true });
  if (type.stdout !== "commit\n") t.fail({ message: `Real git cannot read ${oid}, printed by commit-tree, as a commit.`, hint: `Store the commit as an object of type commit (header \`commit <size>\\0\`). ${FORMAT}` });
  const expected = (await g.git(["commit-tree", ...args], { cwd: repo })).stdout.trim();
  if (oid !== expected) {
    const ours = (await g.git(["cat-file", "-p", oid], { cwd: repo })).stdout;
    const real = (await g.git(["cat-file", "-p", expected], { cwd: repo })).stdout;
    t.expectEqual(ours, real, { message: `commit-tree printed ${oid}; real git's commit is ${expected}. Their contents (git cat-file -p) differ:`, hint: commitHint(ours, real) });
    t.fail({ message: `commit-tree printed ${oid}; real git's commit is ${expected}, with the same content.`, hint: FORMAT });
  }
  return oid;
}

export default stage(import.meta, [
  {
    name: "commit-tree writes the commits real git writes, and git log shows them",
    async run(t) {
      const g = GitCase.start(t);
      const files = randomFiles(t.rand, { depth: 1 });
      const repo = await g.realRepo("repo", files);
      await g.git(["add", "-A"], { cwd: repo });
      const tree1 = (await g.git(["write-tree"], { cwd: repo })).stdout.trim();
      const subject1 = `Add ${t.rand.word()} ${t.rand.int(1, 999)}`;
      const c1 = await commitTree(t, g, repo, [tree1, "-m", subject1]);
      const changed = files.find((f) => f.kind === "file")!;
      writeFileSync(join(repo, changed.path), randomText(t.rand));
      t.log.note(`the test changed ${changed.path}`);
      await g.git(["add", "-A"], { cwd: repo });
      const tree2 = (await g.git(["write-tree"], { cwd: repo })).stdout.trim();
      const subject2 = `Change ${changed.path}`;
      const c2 = await commitTree(t, g, repo, [tree2, "-p", c1, "-m", subject2, "-m", `The ${t.rand.word()} was out of date.\nSee ${t.rand.word()}.`]);
      const c3 = await commitTree(t, g, repo, [tree2, "-p", c2, "-p", c1, "-m", "Merge two lines of history"]);
      const log = await g.git(["log", "--format=%H %s", c3], { cwd: repo });
      t.expectEqual(log.stdout, `${c3} Merge two lines of history\n${c2} ${subject2}\n${c1} ${subject1}\n`, {
        message: "git log from the last commit should show the three commits.",
        hint: "Each commit names its parents by id; git log walks them back to the first commit.",
      });
      await g.fsck(repo, () => FORMAT);
    },
  },
  {
    name: "commit-tree writes the author and committer from the environment",
    async run(t) {
      const g = GitCase.start(t);
      const repo = await g.realRepo("repo", randomFiles(t.rand, { depth: 0 }));
      await g.git(["add", "-A"], { cwd: repo });
      const tree = (await g.git(["write-tree"], { cwd: repo })).stdout.trim();
      const c = await commitTree(t, g, repo, [tree, "-m", `Initial ${t.rand.word()}`]);
      const shown = await g.git(["log", "-1", "--format=%an <%ae> %ad%n%cn <%ce> %cd", "--date=raw", c], { cwd: repo });
      const id = g.identity;
      t.expectEqual(shown.stdout, `${id.GIT_AUTHOR_NAME} <${id.GIT_AUTHOR_EMAIL}> ${id.GIT_AUTHOR_DATE}\n${id.GIT_COMMITTER_NAME} <${id.GIT_COMMITTER_EMAIL}> ${id.GIT_COMMITTER_DATE}\n`, {
        message: "git log shows another author or committer than the environment gave.",
        hint: `Read GIT_AUTHOR_NAME, GIT_AUTHOR_EMAIL, GIT_AUTHOR_DATE and the GIT_COMMITTER_ ones. ${FORMAT}`,
      });
    },
  },
]);
