import { GitCase } from "../../challenges/git/clients/git.ts";
import { randomFiles } from "../../challenges/git/clients/git-repo.ts";
import { stage } from "../../harness/stage/define.ts";

const FORMAT = "Each line is `<mode> SP <type> SP <object> TAB <path>`, the mode in six digits (040000 for a tree), entries in the tree's order.";
const HINTS: Record<string, string> = {
  "": `Without -r, list the tree's own entries, subtrees included as \`tree\` lines. ${FORMAT}`,
  "--name-only": "With --name-only, print only each entry's name, one per line.",
  "-r": `With -r, go into every subtree instead of listing it, and show each file's path from the tree you were given (\`dir/sub/file\`), listing a subtree's contents where its own line would be; subtrees themselves are not listed. ${FORMAT}`,
  "-r --name-only": "With -r --name-only, print the path of every file below the tree (`dir/sub/file`), one per line.",
  "--name-only -r": "Options can come in any order before the id: --name-only -r is -r --name-only, the path of every file below the tree, one per line.",
};

export default stage(import.meta, [
  {
    name: "ls-tree lists a tree as real git does, with --name-only, -r and both",
    async run(t) {
      const g = GitCase.start(t);
      const files = randomFiles(t.rand, { depth: 2 });
      const repo = await g.realRepo("repo", files);
      const commit = await g.commitAll(repo, `Add ${files.length} files`);
      const root = (await g.git(["rev-parse", `${commit}^{tree}`], { cwd: repo })).stdout.trim();
      const dir = files.find((f) => f.path.split("/").length > 2)!.path.split("/")[0]!;
      const sub = (await g.git(["rev-parse", `${commit}:${dir}`], { cwd: repo })).stdout.trim();
      for (const [tree, what] of [[root, "the root tree"], [sub, `the tree of ${dir}/`]] as const) {
        for (const flags of ["", "--name-only", "-r", "-r --name-only", "--name-only -r"]) {
          const args = ["ls-tree", ...flags.split(" ").filter(Boolean), tree];
          const expected = await g.git(args, { cwd: repo });
          const ours = await g.ours(args, { cwd: repo });
          t.expectEqual(ours.stdout, expected.stdout, { message: `ls-tree ${flags} of ${what} differs from real git's.`.replace("  ", " "), hint: HINTS[flags]! });
        }
      }
    },
  },
  {
    name: "ls-tree reads trees with executables and symlinks at every level",
    async run(t) {
      const g = GitCase.start(t);
      const files = randomFiles(t.rand, { depth: 3, width: 3 });
      const repo = await g.realRepo("repo", files);
      const commit = await g.commitAll(repo, "Deep tree");
      const root = (await g.git(["rev-parse", `${commit}^{tree}`], { cwd: repo })).stdout.trim();
      const args = ["ls-tree", "-r", root];
      const expected = await g.git(args, { cwd: repo });
      const ours = await g.ours(args, { cwd: repo });
      t.expectEqual(ours.stdout, expected.stdout, { message: "ls-tree -r of a deep tree differs from real git's.", hint: HINTS["-r"]! });
    },
  },
]);
