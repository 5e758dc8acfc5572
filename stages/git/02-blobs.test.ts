import { join } from "node:path";
import { GitCase } from "../../challenges/git/clients/git.ts";
import { diagnoseObject } from "../../challenges/git/clients/git-objects.ts";
import { randomBinary, randomText, type RepoFile } from "../../challenges/git/clients/git-repo.ts";
import type { Random } from "../../harness/random.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

/** A text file, a binary file, an empty file and a larger one (about 60 KB), in random order. */
function blobFiles(rand: Random): RepoFile[] {
  const big = Buffer.concat(Array.from({ length: 400 }, () => randomText(rand, 4)));
  return rand.shuffle([
    { path: `${rand.word()}.txt`, kind: "file", content: randomText(rand) },
    { path: `${rand.word()}.bin`, kind: "file", content: randomBinary(rand) },
    { path: `empty-${rand.int(1, 99)}`, kind: "file", content: new Uint8Array() },
    { path: `big-${rand.word()}.log`, kind: "file", content: big },
  ]);
}

/** A repository made by real git, with the files written in it. */
async function setup(t: CaseContext) {
  const g = GitCase.start(t);
  const repo = g.dir("repo");
  await g.git(["init", "-q"], { cwd: repo });
  const files = blobFiles(t.rand);
  g.writeFiles(repo, files);
  return { g, repo, files };
}

export default stage(import.meta, [
  {
    name: "hash-object prints the id real git computes, and writes nothing without -w",
    async run(t) {
      const { g, repo, files } = await setup(t);
      for (const f of files) {
        const oid = g.expectOid(await g.ours(["hash-object", f.path], { cwd: repo }), `hash-object ${f.path}`);
        const expected = (await g.git(["hash-object", f.path], { cwd: repo })).stdout.trim();
        t.expectEqual(oid, expected, { message: `Wrong object id for ${f.path} (${f.content.length} bytes).`, hint: diagnoseObject(join(repo, ".git"), oid, "blob", f.content) });
        const exists = await g.git(["cat-file", "-e", oid], { cwd: repo, allowFail: true });
        if (exists.code === 0) t.fail({ message: `hash-object ${f.path} without -w stored the object ${oid}.`, hint: "Only hash-object -w writes the object into .git/objects; without -w it only prints the id." });
      }
    },
  },
  {
    name: "hash-object -w stores blobs that real git reads back byte for byte",
    async run(t) {
      const { g, repo, files } = await setup(t);
      for (const f of files) {
        const oid = g.expectOid(await g.ours(["hash-object", "-w", f.path], { cwd: repo }), `hash-object -w ${f.path}`);
        const expected = (await g.git(["hash-object", f.path], { cwd: repo })).stdout.trim();
        const hint = diagnoseObject(join(repo, ".git"), oid, "blob", f.content);
        t.expectEqual(oid, expected, { message: `Wrong object id for ${f.path} (${f.content.length} bytes).`, hint });
        const type = await g.git(["cat-file", "-t", oid], { cwd: repo, hint });
        t.expectEqual(type.stdout, "blob\n", { message: `Real git reads ${oid} as another type.`, hint });
        const size = await g.git(["cat-file", "-s", oid], { cwd: repo, hint });
        t.expectEqual(size.stdout, `${f.content.length}\n`, { message: `Real git reads another size for ${oid}.`, hint });
        const content = await g.git(["cat-file", "-p", oid], { cwd: repo, hint });
        g.expectBytes(content.stdoutBytes, f.content, { message: `Real git reads other content from the object your program stored for ${f.path}.`, hint });
      }
      await g.fsck(repo, (out) => (/mismatch/.test(out) ? "An object's file name must be the SHA-1 of the uncompressed header+content it holds." : "Store each object as zlib(header + content) under .git/objects/<first 2 hex digits>/<other 38>."));
    },
  },
  {
    name: "cat-file -p, -t and -s read blobs real git wrote",
    async run(t) {
      const { g, repo, files } = await setup(t);
      for (const f of files) {
        const oid = (await g.git(["hash-object", "-w", f.path], { cwd: repo })).stdout.trim();
        const type = await g.ours(["cat-file", "-t", oid], { cwd: repo });
        t.expectEqual(type.stdout, "blob\n", { message: `cat-file -t ${oid} should print the object's type.`, hint: "Inflate .git/objects/<2>/<38> with zlib; the type is the header's first word (before the space)." });
        const size = await g.ours(["cat-file", "-s", oid], { cwd: repo });
        t.expectEqual(size.stdout, `${f.content.length}\n`, { message: `cat-file -s ${oid} should print the size of ${f.path}'s content.`, hint: "The size is the decimal number between the space and the NUL of the header: the content's length in bytes, without the header." });
        const content = await g.ours(["cat-file", "-p", oid], { cwd: repo });
        g.expectBytes(content.stdoutBytes, f.content, {
          message: `cat-file -p ${oid} should print the content of ${f.path} exactly.`,
          hint: "Print the bytes after the header's NUL as they are: no newline added, no text decoding (binary content must come out unchanged).",
        });
      }
    },
  },
]);
