import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GitCase } from "../../challenges/git/clients/git.ts";
import { expectSameIndex, indexProblem, indexStatProblem, twinRepos, type Twins } from "../../challenges/git/clients/git-index.ts";
import { randomBinary, randomFiles, randomText, writeFiles, type RepoFile } from "../../challenges/git/clients/git-repo.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const MODES = "The mode is 0o100644 for a file, 0o100755 for a file its owner may execute (st_mode & 0o100: only the owner's execute bit counts, so a file only its group or others may execute is 0o100644), 0o120000 for a symlink (its blob holds the link's target), as a 32-bit number.";
const PATHS =
  "`add <path>` stages the file at that path, or every file below it when it is a directory, with paths from the top of the work tree (`dir/sub/file`); an entry whose file is gone is removed. Keep every other entry the index already held.";

/** The program's `add` in ours, real git's in theirs; then the index must be well formed and real git must see the same in both. */
async function addBoth(t: CaseContext, g: GitCase, repos: Twins, paths: string[]): Promise<void> {
  const added = await g.ours(["add", ...paths], { cwd: repos.ours, hint: `${PATHS} A path whose file is gone still names its entry in the index you read.` });
  if (added.stdout !== "") t.fail({ message: `add ${paths.join(" ")} printed on stdout; real git's add prints nothing.`, expected: "", received: added.stdout, hint: "`add` prints nothing when it succeeds." });
  const bytes = readFileSync(join(repos.ours, ".git", "index"));
  const problem = indexProblem(bytes) ?? indexStatProblem(bytes, repos.ours);
  if (problem) t.fail(problem);
  await g.git(["add", ...paths], { cwd: repos.theirs });
  await expectSameIndex(t, g, repos, `add ${paths.join(" ")}`, {
    modes: MODES,
    missing: PATHS,
    status: "The index entries list the same files; check the stat fields (mtime and size as the file has them) and the mode.",
  });
  const tree = (await g.git(["write-tree"], { cwd: repos.theirs })).stdout;
  const blobs = "Real git's write-tree needs the blob of every index entry: `add` writes each file's blob to .git/objects, as hash-object -w does.";
  t.expectEqual((await g.git(["write-tree"], { cwd: repos.ours, hint: blobs })).stdout, tree, {
    message: `After add ${paths.join(" ")}, real git's write-tree gives another tree than after real git's add.`,
    hint: PATHS,
  });
  t.expectEqual((await g.ours(["write-tree"], { cwd: repos.ours })).stdout, tree, {
    message: `After add ${paths.join(" ")}, your write-tree prints another tree than real git's write-tree of the same index.`,
    hint: "Now that there is an index, write-tree writes the trees of its entries (stage 0), not the working directory: split each path at its slashes into nested trees, in git's tree order (stage 4).",
  });
}

export default stage(import.meta, [
  {
    name: "add stages files, executables, symlinks and directories as real git's add does",
    async run(t) {
      const g = GitCase.start(t);
      const generated = randomFiles(t.rand, { depth: 2 });
      const dir = generated.find((f) => f.path.includes("/"))!.path.split("/")[0]!;
      // A symlink to a directory is a symlink (mode 120000, its target as its blob): add must not walk into it.
      const dirLink: RepoFile = { path: `${t.rand.word()}-dirlink`, kind: "symlink", content: new TextEncoder().encode(dir) };
      const files = [...generated, dirLink];
      const repos = await twinRepos(g, files);
      const loose = t.rand.shuffle(generated.filter((f) => !f.path.startsWith(`${dir}/`))).slice(0, 2).map((f) => f.path);
      await addBoth(t, g, repos, [dir, ...loose]);
      await addBoth(t, g, repos, ["."]);
    },
  },
  {
    name: "add updates an index real git wrote: changed, new, made-executable and deleted files",
    async run(t) {
      const g = GitCase.start(t);
      const files = randomFiles(t.rand, { depth: 1, width: 3 });
      const repos = await twinRepos(g, files, "First");
      const plain = t.rand.shuffle(files.filter((f) => f.kind === "file"));
      const [changed, chmodded, deleted] = [plain[0]!, plain[1]!, plain[2] ?? plain[0]!];
      const fresh = `${t.rand.word()}-new/${t.rand.word()}.bin`;
      const content = randomText(t.rand);
      const binary = randomBinary(t.rand);
      for (const repo of [repos.ours, repos.theirs]) {
        writeFileSync(join(repo, changed.path), content);
        chmodSync(join(repo, chmodded.path), 0o755);
        if (deleted !== changed) rmSync(join(repo, deleted.path));
        mkdirSync(join(repo, fresh, ".."), { recursive: true });
        writeFiles(repo, [{ path: fresh, kind: "file", content: binary }]);
      }
      t.log.note(`in both repositories the test changed ${changed.path}, made ${chmodded.path} executable, ${deleted !== changed ? `deleted ${deleted.path}, ` : ""}and wrote ${fresh}`);
      const paths = [...new Set([changed.path, chmodded.path, deleted.path, fresh.split("/")[0]!])];
      await addBoth(t, g, repos, paths);
    },
  },
  {
    name: "add refuses a path that matches no file and no entry, and changes nothing",
    async run(t) {
      const g = GitCase.start(t);
      const files = randomFiles(t.rand, { depth: 1 });
      const repos = await twinRepos(g, files, "First");
      const fresh = `${t.rand.word()}-new.txt`;
      const content = randomText(t.rand);
      for (const repo of [repos.ours, repos.theirs]) writeFileSync(join(repo, fresh), content);
      t.log.note(`in both repositories the test wrote ${fresh}`);
      const args = ["add", fresh, `${t.rand.word()}-missing.txt`];
      const ours = await g.ours(args, { cwd: repos.ours, allowFail: true });
      const real = await g.git(args, { cwd: repos.theirs, allowFail: true });
      if (real.code === 0) throw new Error("test bug: real git added a path that does not exist");
      const hint = "A path that matches no file and no index entry is an error (`fatal: pathspec '<path>' did not match any files`, exit code 128), and then nothing is added, not even the other paths.";
      if (ours.code !== real.code) t.fail({ message: `${args.join(" ")} exited with code ${ours.code}; real git refuses it with code ${real.code}:\n${real.output.trim()}`, hint });
      await expectSameIndex(t, g, repos, `the refused ${args.join(" ")}`, { modes: MODES, missing: hint, status: hint });
    },
  },
]);
