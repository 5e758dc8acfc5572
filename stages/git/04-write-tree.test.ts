import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GitCase } from "../../challenges/git/clients/git.ts";
import { diagnoseObject } from "../../challenges/git/clients/git-objects.ts";
import { randomFiles, randomText } from "../../challenges/git/clients/git-repo.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const ORDER =
  "Git sorts a tree's entries by name, bytewise, comparing a directory's name as if it ended in \"/\": the files `x-1` and `x.txt` come before the directory `x`, because '-' and '.' sort before '/'. A plain sort of the names puts `x` first.";
const MODES =
  "Modes: 100644 for a file, 100755 for a file its owner may execute (mode & 0o100: only the owner's execute bit counts, so a file only its group or others may execute is 100644), 120000 for a symlink (its blob holds the link's target, read with readlink — do not follow the link), 40000 for a directory.";

function fsckHint(output: string): string {
  if (/missing blob/i.test(output)) return "Store every file's blob in .git/objects (as hash-object -w does), not only the trees: a tree names objects that must exist.";
  if (/treeNotSorted|not properly sorted/i.test(output)) return ORDER;
  if (/mode/i.test(output)) return MODES;
  if (/mismatch/i.test(output)) return "An object's id must be the SHA-1 of its uncompressed header and content.";
  return `${ORDER} ${MODES}`;
}

/** path → mode, from `git ls-tree -r -t` output. */
function modes(listing: string): Map<string, string> {
  return new Map(listing.split("\n").filter(Boolean).map((l) => [l.slice(l.indexOf("\t") + 1), l.slice(0, 6)] as const));
}

/** path → object id, from `git ls-tree -r -t` output. */
function ids(listing: string): Map<string, string> {
  return new Map(listing.split("\n").filter(Boolean).map((l) => [l.slice(l.indexOf("\t") + 1), l.slice(l.indexOf("\t") - 40, l.indexOf("\t"))] as const));
}

/** Names what differs between the program's tree listing and real git's: a mode, extra or missing paths, or only the order. */
function listingHint(ours: string, real: string): string {
  const o = modes(ours);
  const r = modes(real);
  for (const [path, mode] of r) {
    const got = o.get(path);
    if (got !== undefined && got !== mode) return `${path} should have mode ${mode}, not ${got}. ${MODES}`;
  }
  const extra = [...o.keys()].filter((p) => !r.has(p));
  if (extra.length > 0) return `Your tree has entries real git's has not: ${extra.join(", ")}. Leave out .git, and directories with no files in them (git tracks files, not directories).`;
  const missing = [...r.keys()].filter((p) => !o.has(p));
  if (missing.length > 0) return `Your tree misses ${missing.join(", ")}: write every file, executable and symlink, in every directory below the work tree.`;
  const [oi, ri] = [ids(ours), ids(real)];
  const link = [...ri].find(([path, id]) => r.get(path) === "120000" && oi.get(path) !== id);
  if (link) return `The symlink ${link[0]} has another blob than real git's: a symlink's blob holds its target, as readlink returns it (use lstat; never follow the link). ${MODES}`;
  const blob = [...ri].find(([path, id]) => r.get(path)!.startsWith("100") && oi.get(path) !== id);
  if (blob) return `${blob[0]} has another blob than real git's: its blob is the file's bytes, with the header \`blob <size>\\0\` (stage 2).`;
  return ORDER;
}

/** The program's write-tree in `repo`, checked by real git (type and fsck), then compared with real git's tree of the same files. */
async function expectSameTree(t: CaseContext, g: GitCase, repo: string, label: string): Promise<string> {
  const oid = g.expectOid(await g.ours(["write-tree"], { cwd: repo }), "write-tree");
  const type = await g.git(["cat-file", "-t", oid], { cwd: repo, allowFail: true });
  if (type.stdout !== "tree\n") t.fail({ message: `Real git cannot read ${oid}, printed by write-tree, as a tree.`, hint: diagnoseObject(join(repo, ".git"), oid, "tree", new Uint8Array()) });
  // The printed tree as fsck's head: every object it names must exist (an unreachable tree's links are not checked otherwise).
  await g.fsck(repo, fsckHint, [oid]);
  // Real git's tree of the same files: stage them all in an index of its own, outside the repository.
  const index = { GIT_INDEX_FILE: join(t.dir, `${label}.index`) };
  await g.git(["add", "-A"], { cwd: repo, env: index });
  const expected = (await g.git(["write-tree"], { cwd: repo, env: index })).stdout.trim();
  if (oid !== expected) {
    const ours = (await g.git(["ls-tree", "-r", "-t", oid], { cwd: repo })).stdout;
    const real = (await g.git(["ls-tree", "-r", "-t", expected], { cwd: repo })).stdout;
    t.expectEqual(ours, real, {
      message: `write-tree printed ${oid}; real git's tree of the same files is ${expected}. Their listings (git ls-tree -r -t) differ:`,
      hint: listingHint(ours, real),
    });
    t.fail({ message: `write-tree printed ${oid}; real git's tree of the same files is ${expected}, with the same listing.`, hint: ORDER });
  }
  return oid;
}

export default stage(import.meta, [
  {
    name: "write-tree writes files, executables, symlinks and nested directories as real git does",
    async run(t) {
      const g = GitCase.start(t);
      const repo = await g.realRepo("repo", randomFiles(t.rand, { depth: 2 }));
      await expectSameTree(t, g, repo, "expected");
    },
  },
  {
    name: "write-tree of a work tree with no files prints the empty tree",
    async run(t) {
      const g = GitCase.start(t);
      const repo = await g.realRepo("repo", []);
      await expectSameTree(t, g, repo, "empty");
    },
  },
  {
    name: "write-tree leaves out empty directories and follows changes to the files",
    async run(t) {
      const g = GitCase.start(t);
      const files = randomFiles(t.rand, { depth: 1, width: 2 });
      const repo = await g.realRepo("repo", files);
      const empty = `${t.rand.word()}-empty`;
      mkdirSync(join(repo, empty, "inner"), { recursive: true });
      t.log.note(`the test made the empty directories ${empty}/ and ${empty}/inner/`);
      const before = await expectSameTree(t, g, repo, "first");
      const changed = files.find((f) => f.kind === "file" && f.path.includes("/"))!;
      writeFileSync(join(repo, changed.path), randomText(t.rand));
      t.log.note(`the test changed ${changed.path}`);
      const after = await expectSameTree(t, g, repo, "second");
      if (before === after) t.fail({ message: `write-tree printed the same tree after ${changed.path} changed.`, hint: "Hash each file's current content: a changed file gives a new blob, so its tree and every tree above it get new ids." });
      const below = join(repo, changed.path.split("/")[0]!);
      const fromBelow = g.expectOid(await g.ours(["write-tree"], { cwd: below }), "write-tree");
      t.expectEqual(fromBelow, after, {
        message: `write-tree run in ${below} printed another tree than in the top directory.`,
        hint: "write-tree writes the whole work tree wherever it runs: look for .git in the current directory, then in each parent, and start from the directory that holds it.",
      });
    },
  },
]);
