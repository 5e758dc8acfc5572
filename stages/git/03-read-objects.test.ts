import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GitCase } from "../../challenges/git/clients/git.ts";
import { sha1, withHeader } from "../../challenges/git/clients/git-objects.ts";
import { randomFiles, randomText } from "../../challenges/git/clients/git-repo.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const TREE_FORMAT =
  "cat-file -p of a tree prints one line per entry, `<mode> <type> <id>\\t<name>`: the mode in six digits (040000 for a tree, whose mode is stored as 40000), the type (`tree` for mode 40000, `commit` for 160000, `blob` otherwise) and the 20-byte id in hex. The stored id is 20 raw bytes that can hold any byte, NUL included: after the NUL that ends the name, take exactly 20 bytes.";
const GITLINK =
  "A submodule's entry has mode 160000 and type commit (tree for 40000, blob for the other modes).";
const RAW = "cat-file -p of a commit or a tag prints the object's content as stored (after the header), unchanged.";

/** Real git makes two commits and an annotated tag; returns the repository and the objects to read, by what they are. */
async function history(t: CaseContext, g: GitCase) {
  const files = randomFiles(t.rand);
  const repo = await g.realRepo("repo", files);
  const first = await g.commitAll(repo, `Add ${t.rand.word()} and ${t.rand.word()}\n\nWith a body line about ${t.rand.word()}.`);
  const changed = files.find((f) => f.kind === "file")!;
  writeFileSync(join(repo, changed.path), randomText(t.rand));
  rmSync(join(repo, files.find((f) => f !== changed && f.path.includes("/"))?.path ?? "missing"), { force: true });
  t.log.note(`the test changed ${changed.path} and removed a nested file`);
  const second = await g.commitAll(repo, `Change ${changed.path}`);
  const tagName = `v${t.rand.int(1, 9)}.${t.rand.int(0, 20)}`;
  await g.git(["tag", "-a", tagName, "-m", `Release ${tagName}`], { cwd: repo });
  const rev = async (name: string) => (await g.git(["rev-parse", name], { cwd: repo })).stdout.trim();
  const dir = files.find((f) => f.path.includes("/"))!.path.split("/")[0]!;
  // On every seed, a tree with a submodule entry (160000, type commit) and ids that hold a NUL byte: a gitlink's
  // commit id chosen so, and a blob whose content was tried until its id has one.
  const nul = t.rand.bytes(20);
  nul[t.rand.int(1, 18)] = 0;
  const gitlink = Buffer.from(nul).toString("hex");
  let content = "";
  for (let n = 0; !Buffer.from(sha1(withHeader("blob", Buffer.from(content))), "hex").includes(0); n++) content = `${t.rand.word()} ${n}\n`;
  const blob = (await g.git(["hash-object", "-w", "--stdin"], { cwd: repo, stdin: content })).stdout.trim();
  const name = t.rand.word();
  const mixed = (await g.git(["mktree"], { cwd: repo, stdin: `160000 commit ${gitlink}\t${name}-module\n100644 blob ${blob}\t${name}.txt\n040000 tree ${await rev(`${second}:${dir}`)}\t${dir}\n` })).stdout.trim();
  return {
    repo,
    objects: [
      { what: "the root tree", oid: await rev(`${second}^{tree}`), hint: TREE_FORMAT },
      { what: `the tree of ${dir}/`, oid: await rev(`${second}:${dir}`), hint: TREE_FORMAT },
      { what: "a tree with a submodule entry (mode 160000) and ids holding a NUL byte", oid: mixed, hint: `${TREE_FORMAT} ${GITLINK}` },
      { what: "the first commit (no parent)", oid: first, hint: RAW },
      { what: "the second commit (one parent)", oid: second, hint: RAW },
      { what: `the annotated tag ${tagName}`, oid: await rev(tagName), hint: RAW },
    ],
  };
}

export default stage(import.meta, [
  {
    name: "cat-file -t and -s give the type and size of trees, commits and tags",
    async run(t) {
      const g = GitCase.start(t);
      const { repo, objects } = await history(t, g);
      for (const o of objects) {
        for (const flag of ["-t", "-s"]) {
          const expected = await g.git(["cat-file", flag, o.oid], { cwd: repo });
          const ours = await g.ours(["cat-file", flag, o.oid], { cwd: repo });
          t.expectEqual(ours.stdout, expected.stdout, {
            message: `cat-file ${flag} of ${o.what} differs from real git's.`,
            hint: "The header of every object is `<type> <size>\\0`: the type is blob, tree, commit or tag, the size counts the bytes after the NUL.",
          });
        }
      }
    },
  },
  {
    name: "cat-file -p prints trees as listings and commits and tags as stored",
    async run(t) {
      const g = GitCase.start(t);
      const { repo, objects } = await history(t, g);
      for (const o of objects) {
        const expected = await g.git(["cat-file", "-p", o.oid], { cwd: repo });
        const ours = await g.ours(["cat-file", "-p", o.oid], { cwd: repo });
        if (Buffer.compare(Buffer.from(ours.stdoutBytes), Buffer.from(expected.stdoutBytes)) !== 0) {
          const raw = o.hint.startsWith(TREE_FORMAT) && ours.stdoutBytes.includes(0);
          const hint = raw ? `Your output holds NUL bytes: it is the tree as stored (\`<mode> <name>\\0<20-byte id>\`…), not a listing. ${TREE_FORMAT}` : o.hint;
          t.expectEqual(ours.stdout, expected.stdout, { message: `cat-file -p of ${o.what} differs from real git's.`, hint });
          g.expectBytes(ours.stdoutBytes, expected.stdoutBytes, { message: `cat-file -p of ${o.what} differs from real git's.`, hint });
        }
      }
    },
  },
]);
