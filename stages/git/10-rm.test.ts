import { existsSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GitCase } from "../../challenges/git/clients/git.ts";
import { expectSameIndex, twinRepos, type Twins } from "../../challenges/git/clients/git-index.ts";
import { randomFiles, randomText } from "../../challenges/git/clients/git-repo.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const RM = "`rm <path>` removes the path's entry from the index and deletes the file (and directories it leaves empty); with -r a directory's entries go too; it prints `rm '<path>'` for each entry removed, in index order (-q: nothing).";
const CACHED = "`rm --cached` removes the entry from the index only: the file stays in the working tree, now untracked.";
const MISSING = "Remove exactly the entries at or below each path given, and keep every other entry.";

const NOT_RECURSIVE = "Without -r, a path that names a directory is an error: `fatal: not removing '<dir>' recursively without -r` on stderr, exit code 128.";
const NO_MATCH = "A path that matches no index entry is an error: `fatal: pathspec '<path>' did not match any files` on stderr, exit code 128.";
const ALL_OR_NOTHING = "Check every path before removing anything: when one is refused, no entry and no file is removed.";

/** Runs `rm <args>`, which real git refuses, in both twins: the program must fail with git's exit code and leave files and index as they were. */
async function rmRefused(t: CaseContext, g: GitCase, repos: Twins, args: string[], hint: string): Promise<void> {
  const ours = await g.ours(["rm", ...args], { cwd: repos.ours, allowFail: true });
  const real = await g.git(["rm", ...args], { cwd: repos.theirs, allowFail: true });
  if (real.code === 0) throw new Error(`test bug: real git accepted rm ${args.join(" ")}`);
  if (ours.code !== real.code) t.fail({ message: `rm ${args.join(" ")} exited with code ${ours.code}; real git refuses it with code ${real.code}:\n${real.output.trim()}`, hint });
  for (const path of args.filter((a) => !a.startsWith("-"))) {
    if (existsSync(join(repos.ours, path)) !== existsSync(join(repos.theirs, path))) t.fail({ message: `After the refused rm ${args.join(" ")}, ${path} should still be in the working tree.`, hint: `${hint} ${ALL_OR_NOTHING}` });
  }
  await expectSameIndex(t, g, repos, `the refused rm ${args.join(" ")}`, { modes: "", missing: `${hint} ${ALL_OR_NOTHING}`, status: `${hint} ${ALL_OR_NOTHING}` });
}

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
      // The only file of a directory inside a directory that holds nothing else: rm leaves both empty.
      const deep = `${t.rand.word()}-deep/${t.rand.word()}/only.txt`;
      // A tracked file deleted from the working tree before rm: its entry is removed all the same.
      const gone = `${t.rand.word()}-gone.txt`;
      const repos = await twinRepos(g, [...files, { path: deep, kind: "file", content: randomText(t.rand) }, { path: gone, kind: "file", content: randomText(t.rand) }], "First");
      const plain = t.rand.shuffle(files.filter((f) => f.kind === "file" && f.path.includes("/")));
      await rmBoth(t, g, repos, [plain[0]!.path]);
      await rmBoth(t, g, repos, [deep]);
      const top = deep.split("/")[0]!;
      if (existsSync(join(repos.ours, top)) !== existsSync(join(repos.theirs, top))) t.fail({ message: `After rm ${deep}, the directory ${top} (left empty) should be gone, as with real git.`, hint: "After deleting a file, remove each directory it leaves empty, going up to the top of the work tree." });
      await rmBoth(t, g, repos, ["--cached", plain[1]!.path]);
      for (const dir of [repos.ours, repos.theirs]) unlinkSync(join(dir, gone));
      t.log.command(`rm ${join(repos.ours, gone)} ${join(repos.theirs, gone)}`);
      const GONE = "A path whose file is already gone from the working tree still has its index entry: remove the entry (and print `rm '<path>'`); there is just no file to delete.";
      const goneRun = await g.ours(["rm", gone], { cwd: repos.ours, allowFail: true });
      const goneReal = await g.git(["rm", gone], { cwd: repos.theirs });
      if (goneRun.code !== 0) t.fail({ message: `rm ${gone} (a tracked file already deleted from the working tree) exited with code ${goneRun.code}; real git removes its entry and exits with 0.`, hint: GONE });
      t.expectEqual(goneRun.stdout, goneReal.stdout, { message: `rm ${gone} (a tracked file already deleted) printed another output than real git's.`, hint: GONE });
      await expectSameIndex(t, g, repos, `rm ${gone}`, { modes: "", missing: GONE, status: GONE });
      // Two top-level files named in the reverse of index order: git prints (and removes) them in index order.
      const tops = files.filter((f) => !f.path.includes("/") && f.kind !== "symlink").map((f) => f.path).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      await rmBoth(t, g, repos, [tops[tops.length - 1]!, tops[0]!]);
    },
  },
  {
    name: "rm refuses a directory without -r and a path that matches nothing, and then removes nothing",
    async run(t) {
      const g = GitCase.start(t);
      const files = randomFiles(t.rand, { depth: 2 });
      const repos = await twinRepos(g, files, "First");
      const dir = t.rand.pick([...new Set(files.filter((f) => f.path.split("/").length > 2).map((f) => f.path.split("/").slice(0, 2).join("/")))]);
      const file = t.rand.pick(files.filter((f) => f.kind === "file" && !f.path.startsWith(`${dir}/`))).path;
      await rmRefused(t, g, repos, [dir], NOT_RECURSIVE);
      await rmRefused(t, g, repos, ["--cached", dir], NOT_RECURSIVE);
      await rmRefused(t, g, repos, [`${t.rand.word()}-missing.txt`], NO_MATCH);
      await rmRefused(t, g, repos, [file, dir], NOT_RECURSIVE);
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
