import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GitCase } from "../../challenges/git/clients/git.ts";
import { randomBinary, randomFiles, randomText, type RepoFile } from "../../challenges/git/clients/git-repo.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const FORMAT =
  "Each line is `XY path`: X compares the index with HEAD's tree (A added, M modified, D deleted, space for the same), Y compares the working tree with the index (M, D, or space); paths in byte order; then `?? path` for each untracked file, in byte order, a directory holding no tracked file shown once as `?? dir/`. Unchanged paths get no line.";
const IGNORES_INDEX =
  "Your status compares the working tree with HEAD, as if there were no index: a staged change belongs in the first column (X, index against HEAD), and the second column (Y) compares the working tree with the index, not with HEAD.";
const HEAD =
  "HEAD's tree: .git/HEAD names the branch (`ref: refs/heads/<branch>`), whose commit is in .git/refs/heads/<branch> or, after git pack-refs, on a line `<id> refs/heads/<branch>` of .git/packed-refs.";
const UNTRACKED = "An untracked file is one with no entry in the index. A directory with no tracked file below it is shown once as `?? dir/` (not file by file); an empty directory not at all.";

/** Which part of the porcelain output differs: the index column, the untracked lines, or the format in general. */
function statusHint(ours: string, real: string): string {
  const lines = (s: string) => s.split("\n").filter(Boolean);
  const stagedCol = (s: string) => lines(s).filter((l) => !l.startsWith("??") && l[0] !== " ");
  if (stagedCol(real).length > 0 && stagedCol(ours).length === 0) return IGNORES_INDEX;
  const untracked = (s: string) => lines(s).filter((l) => l.startsWith("??")).join("\n");
  if (lines(ours).some((l) => l.startsWith("## "))) return `No \`## <branch>\` header: --porcelain prints it only with -b. ${FORMAT}`;
  if (untracked(ours) !== untracked(real)) {
    const sorted = (s: string) => untracked(s).split("\n").sort().join("\n");
    if (sorted(ours) === sorted(real)) return `The untracked lines are sorted byte by byte (upper-case letters before lower-case ones, \`.\` before letters), not as a dictionary would. ${UNTRACKED}`;
    const staged = (s: string) => new Set(lines(s).filter((l) => l.startsWith("D ")).map((l) => l.slice(3)));
    const both = [...staged(real)].find((p) => real.includes(`?? ${p}\n`) && !ours.includes(`?? ${p}\n`));
    if (both !== undefined) return `${both} was removed from the index but is still on disk: it shows twice, \`D  ${both}\` and \`?? ${both}\`. ${UNTRACKED}`;
    return UNTRACKED;
  }
  const codes = (s: string) => new Map(lines(s).map((l) => [l.slice(3), l.slice(0, 2)] as const));
  const [o, r] = [codes(ours), codes(real)];
  const added = (m: Map<string, string>) => [...m.values()].filter((c) => c[0] === "A").length;
  if (added(o) > added(r) + 1) return `Your status sees no commit in HEAD. ${HEAD}`;
  for (const [path, code] of r) {
    const got = o.get(path) ?? "  ";
    if (code[0] === "M" && got[0] === " ") return `${path} is staged with another mode or id than HEAD's: X compares the index entry with HEAD's by blob id and by mode (a staged chmod +x is M). ${FORMAT}`;
    if (code[1] === "M" && got[1] === " ") return `${path} differs from its index entry: hash the working-tree file (a change can keep the size) and compare its id and its mode (owner's execute bit) with the entry. ${FORMAT}`;
    if (code[0] === "A" && got[0] !== "A") return `${path} is in the index but not in HEAD's tree: X is A (added), not ${got[0] === " " ? "a space" : got[0]}. ${FORMAT}`;
    if (code[0] === "D" && got[0] !== "D") return `${path} is in HEAD's tree but not in the index: its line is \`D  ${path}\` (X = D). ${FORMAT}`;
    if (code[1] === "D" && got[1] !== "D") return `${path} has an index entry but no file in the working tree: Y is D (deleted), not ${got[1] === " " ? "a space" : got[1]}. ${FORMAT}`;
  }
  for (const [path, got] of o) {
    if (!r.has(path) && got[1] === "M") return `${path} is the same in the working tree as in the index (real git prints no line for it), but your status marks it modified (Y = M). Hash what lstat sees: a symlink's blob is its target path (readlink), not the content of the file it points to. ${FORMAT}`;
  }
  const firstUntracked = lines(ours).findIndex((l) => l.startsWith("??"));
  if (firstUntracked >= 0 && lines(ours).slice(firstUntracked).some((l) => !l.startsWith("??"))) return `Your \`??\` lines are mixed in with the tracked paths' lines: first every tracked path's line (in byte order), then all the untracked ones (in byte order of their own). ${FORMAT}`;
  const sortedLines = (s: string) => [...lines(s)].sort().join("\n");
  if (sortedLines(ours) === sortedLines(real)) return `The same lines in another order: every tracked path's line comes in one byte order of the paths, whatever its letters; then the untracked ones. ${FORMAT}`;
  return FORMAT;
}

async function expectStatus(t: CaseContext, g: GitCase, repo: string, what: string): Promise<void> {
  const real = (await g.git(["status", "--porcelain"], { cwd: repo })).stdout;
  const ours = (await g.ours(["status", "--porcelain"], { cwd: repo, hint: `${HEAD} Before the first commit the branch does not exist yet: HEAD's tree is empty, so every index entry is A.` })).stdout;
  t.expectEqual(ours, real, { message: `status --porcelain ${what} differs from real git's.`, hint: statusHint(ours, real) });
}

function write(t: CaseContext, repo: string, path: string, content: Uint8Array, what: string): void {
  mkdirSync(join(repo, path, ".."), { recursive: true });
  writeFileSync(join(repo, path), content);
  t.log.note(`the test ${what} ${path}`);
}

export default stage(import.meta, [
  {
    name: "status --porcelain shows staged, unstaged and untracked changes as real git does",
    async run(t) {
      const g = GitCase.start(t);
      const extra = Array.from({ length: 9 }, (_, i): RepoFile => ({ path: `${t.rand.word()}-${i}.txt`, kind: "file", content: randomText(t.rand) }));
      const files = [...randomFiles(t.rand, { depth: 2, width: 3 }), ...extra];
      const repo = await g.realRepo("repo", files);
      await g.commitAll(repo, "First");
      const plain = t.rand.shuffle(files.filter((f) => f.kind === "file"));
      const take = (): RepoFile => plain.pop()!;
      const [staged, unstaged, both, gone, removed, exec, stagedExec, untracked, sameSize] = [take(), take(), take(), take(), take(), take(), take(), take(), take()];
      write(t, repo, staged.path, randomText(t.rand), "changed and staged");
      write(t, repo, both.path, randomText(t.rand), "changed and staged");
      await g.git(["add", staged.path, both.path], { cwd: repo });
      write(t, repo, both.path, randomText(t.rand), "changed again");
      write(t, repo, unstaged.path, randomText(t.rand), "changed (not staged)");
      rmSync(join(repo, gone.path));
      t.log.note(`the test deleted ${gone.path}`);
      await g.git(["rm", "-q", removed.path], { cwd: repo });
      chmodSync(join(repo, exec.path), 0o755);
      t.log.note(`the test made ${exec.path} executable`);
      chmodSync(join(repo, stagedExec.path), 0o755);
      await g.git(["add", stagedExec.path], { cwd: repo });
      t.log.note(`the test made ${stagedExec.path} executable and staged it`);
      await g.git(["rm", "-q", "--cached", untracked.path], { cwd: repo });
      t.log.note(`the test removed ${untracked.path} from the index only`);
      // A change that keeps the size: only hashing the file shows it.
      write(t, repo, sameSize.path, Buffer.from(sameSize.content).map((b) => (b >= 0x61 && b <= 0x7a ? b - 0x20 : b >= 0x41 && b <= 0x5a ? b + 0x20 : b)), "changed (same size, not staged)");
      await g.git(["pack-refs", "--all"], { cwd: repo });
      t.log.note("the branch HEAD names is now only in .git/packed-refs");
      const added = `${t.rand.word()}-added.bin`;
      write(t, repo, added, randomBinary(t.rand), "wrote and staged");
      await g.git(["add", added], { cwd: repo });
      write(t, repo, `${t.rand.word()}-new.txt`, randomText(t.rand), "wrote (untracked)");
      // Byte order puts every upper-case name before the lower-case ones; an alphabetical sort does not.
      write(t, repo, `Z${t.rand.word()}-upper.txt`, randomText(t.rand), "wrote (untracked)");
      const dir = `${t.rand.word()}-dir`;
      write(t, repo, `${dir}/inner/${t.rand.word()}.txt`, randomText(t.rand), "wrote (untracked)");
      mkdirSync(join(repo, `${t.rand.word()}-empty`));
      await expectStatus(t, g, repo, "after staged, unstaged and untracked changes");
    },
  },
  {
    name: "status --porcelain before the first commit, with untracked directories beside tracked files",
    async run(t) {
      const g = GitCase.start(t);
      const files = randomFiles(t.rand, { depth: 2 });
      const repo = await g.realRepo("repo", files);
      const deep = files.filter((f) => f.path.split("/").length > 2);
      const tracked = t.rand.shuffle(files.filter((f) => !deep.includes(f))).slice(0, 3).map((f) => f.path);
      const some = deep[0] ? [deep[0].path] : [];
      await g.git(["add", ...tracked, ...some], { cwd: repo });
      if (deep[0]) write(t, repo, deep[0].path, randomText(t.rand), "changed (not staged)");
      await expectStatus(t, g, repo, "in a repository with no commit yet");
    },
  },
]);
