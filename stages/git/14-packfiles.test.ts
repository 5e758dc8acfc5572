import { copyFileSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GitCase } from "../../challenges/git/clients/git.ts";
import { joinLines, LineMaker } from "../../challenges/git/clients/git-diff.ts";
import { commitWithDate, writeNoted } from "../../challenges/git/clients/git-history.ts";
import { deltaCopies, entryTypes, idxDifference, idxIds, IDX_LAYOUT, verifyPackObjects, type PackedObject } from "../../challenges/git/clients/git-pack.ts";
import { randomFiles } from "../../challenges/git/clients/git-repo.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const PACK_FORMAT =
  "Objects real git packed are not under .git/objects/<2>/<38>: find each id in a .git/objects/pack/*.idx (the fan-out table, then a binary search of the sorted ids) to get its offset in the .pack; there, a type (3 bits) and size (varint) header, then zlib data. Types 1–4 are whole objects; 6 (OFS_DELTA) is followed by the distance back to the base entry, 7 (REF_DELTA) by the base's 20-byte id; a delta's data holds the base's size and the result's size (varints: 7 bits a byte, least significant first), then copy (from the base) and insert instructions. Bases can be deltas too (resolve the base first, however deep the chain), and the object has its base's type.";
const COPY =
  "A copy instruction is a byte with the high bit set: bits 0–3 say which of 4 offset bytes follow and bits 4–6 which of 3 size bytes, each least significant first, a byte left out being 0 (an offset ≥ 65536 needs the third byte); a size of 0 means 0x10000.";
const OFS = "An OFS_DELTA's distance back is a varint of its own: 7 bits a byte, most significant first, and for each byte after the first, add 1 before shifting: n = ((n + 1) << 7) | (byte & 0x7f).";
const DELTAS =
  "Store similar objects as deltas: for an object, try the objects before it of the same type (a window of a few), encode the target as copy instructions (offset and length in the base) and insert instructions (up to 127 literal bytes each), and keep the delta when it is smaller than the object. Write it as OFS_DELTA (type 6, then the distance back to the base's entry) or REF_DELTA (type 7, then the base's id), the base earlier in the pack.";

/** Lines of at least `bytes` bytes in all. */
function linesOf(make: LineMaker, bytes: number): string[] {
  const out: string[] = [];
  for (let n = 0; n < bytes; ) {
    const line = make.line();
    out.push(line);
    n += Buffer.byteLength(line);
  }
  return out;
}

/**
 * A history where a text file grows and changes over several commits (so git deltifies its versions), beside
 * other files; and a file over 64 KiB changed only beyond its first 80 KiB, so that its deltas copy from offsets
 * ≥ 65536 (3-byte offsets) and, in real git's, copy 0x10000 bytes at once (a size of 0); each change replaces at
 * least 200 bytes by at least 200 new ones, so a delta either way inserts more than 127 bytes (two instructions).
 */
async function historyRepo(t: CaseContext, g: GitCase, name: string): Promise<string> {
  const make = new LineMaker(t.rand);
  const repo = await g.realRepo(name, randomFiles(t.rand, { depth: 2 }));
  const path = `${t.rand.word()}-log.txt`;
  const other = `docs/${t.rand.word()}.md`;
  const big = `${t.rand.word()}-big.txt`;
  let lines = make.lines(40);
  let notes = make.lines(30);
  const head = linesOf(make, t.rand.int(80, 100) * 1024);
  let tail = linesOf(make, t.rand.int(20, 40) * 1024);
  for (let i = 0; i < 7; i++) {
    lines = [...lines, ...make.lines(t.rand.int(10, 25))];
    lines[t.rand.int(0, lines.length - 1)] = make.line();
    notes = [...notes.slice(0, 10), ...make.lines(2), ...notes.slice(10)];
    // At least 200 bytes out and 200 new bytes in: whichever version a delta rebuilds, it inserts more than 127 bytes.
    const at = t.rand.int(0, tail.length - 20);
    let end = at;
    for (let gone = 0; gone < 200; end++) gone += Buffer.byteLength(tail[end]!);
    tail = [...tail.slice(0, at), ...linesOf(make, 200), ...tail.slice(end)];
    writeNoted(t, repo, path, joinLines(lines), `(commit ${i + 1}) grew`);
    writeNoted(t, repo, other, joinLines(notes), `(commit ${i + 1}) inserted lines in`);
    writeNoted(t, repo, big, joinLines([...head, ...tail]), `(commit ${i + 1}) changed lines after the first ${Buffer.byteLength(joinLines(head))} bytes of`);
    await g.git(["add", "-A"], { cwd: repo });
    await commitWithDate(t, g, repo, i);
  }
  return repo;
}

/** The one .pack real git made in `repo`. */
function packFile(repo: string): string {
  const dir = join(repo, ".git", "objects", "pack");
  const packs = readdirSync(dir).filter((f) => f.endsWith(".pack"));
  if (packs.length !== 1) throw new Error(`test bug: expected one pack, found ${packs.length}`);
  return join(dir, packs[0]!);
}

/** The pack's objects as real git's verify-pack lists them, failing the test itself if real git made no delta of `type`. */
async function packedObjects(t: CaseContext, g: GitCase, repo: string, deltaType: number): Promise<PackedObject[]> {
  const dir = join(repo, ".git", "objects", "pack");
  const idx = readdirSync(dir).filter((f) => f.endsWith(".idx"));
  if (idx.length !== 1) throw new Error(`test bug: expected one pack, found ${idx.length}`);
  const loose = (await g.git(["count-objects"], { cwd: repo })).stdout;
  if (!loose.startsWith("0 objects")) throw new Error(`test bug: loose objects left after packing: ${loose}`);
  const objects = verifyPackObjects((await g.git(["verify-pack", "-v", join(dir, idx[0]!)], { cwd: repo })).stdout);
  const types = entryTypes(join(dir, idx[0]!.replace(/\.idx$/, ".pack")), objects);
  if (!types.has(deltaType)) throw new Error(`test bug: real git's pack holds no entry of type ${deltaType} (it has ${[...types].join(", ")})`);
  t.log.note(`real git's pack holds ${objects.length} objects, ${objects.filter((o) => o.depth > 0).length} of them deltas (chains up to ${Math.max(...objects.map((o) => o.depth))} deep)`);
  return objects;
}

/** log, ls-tree -r, and cat-file of the deepest deltas and a few whole objects must print what real git prints. */
async function expectReads(t: CaseContext, g: GitCase, repo: string, objects: PackedObject[], hint: string): Promise<void> {
  const same = async (args: string[], what: string) => {
    const ours = await g.ours(args, { cwd: repo, hint });
    const real = await g.git(args, { cwd: repo });
    g.expectBytes(ours.stdoutBytes, real.stdoutBytes, { message: `${args.join(" ")} (${what}) differs from real git's.`, hint });
  };
  const head = (await g.git(["rev-parse", "HEAD"], { cwd: repo })).stdout.trim();
  await same(["log"], "every commit, from the pack");
  await same(["ls-tree", "-r", head], "HEAD's trees, from the pack");
  const deltas = [...objects].filter((o) => o.depth > 0).sort((a, b) => b.depth - a.depth).slice(0, 4);
  const whole = t.rand.shuffle(objects.filter((o) => o.depth === 0 && o.type === "blob")).slice(0, 2);
  // The copy boundaries, on every seed: an offset of 3 bytes (≥ 65536), and a size of 0 (0x10000 bytes).
  const copies = deltaCopies(packFile(repo), objects);
  const far = copies.find((c) => c.maxOffset >= 65536);
  const full = copies.find((c) => c.sizeZero);
  if (far === undefined || full === undefined) throw new Error(`test bug: no delta of real git's pack copies from an offset ≥ 65536 (${far !== undefined}) or copies 0x10000 bytes (${full !== undefined})`);
  await same(["cat-file", "-p", far.oid], `a blob over 64 KiB stored as a delta that copies from offset ${far.maxOffset}`);
  await same(["cat-file", "-p", full.oid], "a blob stored as a delta with a copy of size 0, that is 0x10000 bytes");
  for (const o of [...deltas, ...whole]) await same(["cat-file", "-p", o.oid], `a ${o.type}${o.depth > 0 ? ` stored as a delta, chain ${o.depth} deep` : " stored whole"}`);
  await same(["cat-file", "-s", deltas[0]!.oid], "the size of a delta's result");
  await same(["cat-file", "-t", deltas[0]!.oid], "the type of a delta's result (its base's type)");
  // A tree stored as a delta, so a type that is not its base's (or always blob) shows.
  const tree = objects.find((o) => o.depth > 0 && o.type === "tree");
  if (tree === undefined) throw new Error("test bug: real git's pack holds no tree stored as a delta");
  await same(["cat-file", "-t", tree.oid], "the type of a tree stored as a delta (its base's type)");
}

export default stage(import.meta, [
  {
    name: "cat-file, ls-tree and log read what git gc --aggressive packed (OFS_DELTA chains)",
    async run(t) {
      const g = GitCase.start(t);
      const repo = await historyRepo(t, g, "repo");
      await g.git(["gc", "--aggressive", "-q"], { cwd: repo });
      await expectReads(t, g, repo, await packedObjects(t, g, repo, 6), `${PACK_FORMAT} ${OFS} ${COPY}`);
    },
  },
  {
    name: "cat-file, ls-tree and log read a pack of REF_DELTA chains",
    async run(t) {
      const g = GitCase.start(t);
      const repo = await historyRepo(t, g, "repo");
      await g.git(["-c", "repack.useDeltaBaseOffset=false", "repack", "-a", "-d", "-f", "-q"], { cwd: repo });
      await g.git(["prune-packed"], { cwd: repo });
      await expectReads(t, g, repo, await packedObjects(t, g, repo, 7), `${PACK_FORMAT} ${COPY}`);
    },
  },
  {
    name: "pack-objects writes a pack with deltas that verify-pack and index-pack accept",
    async run(t) {
      const g = GitCase.start(t);
      const repo = await historyRepo(t, g, "repo");
      const ids = (await g.git(["rev-list", "--objects", "--all"], { cwd: repo })).stdout
        .split("\n")
        .map((l) => l.split(" ")[0]!)
        .filter(Boolean);
      const out = join(t.dir, "out");
      mkdirSync(out);
      const printed = (await g.ours(["pack-objects", join(out, "pack")], { cwd: repo, stdin: `${ids.join("\n")}\n` })).stdout.trim();
      const files = readdirSync(out);
      const found = files.find((f) => f.endsWith(".pack"))?.slice(0, -".pack".length);
      if (found === undefined || !files.includes(`${found}.idx`)) {
        return t.fail({ message: `pack-objects ${join(out, "pack")} should write ${join(out, "pack")}-<name>.pack and .idx; the directory holds: ${files.join(", ") || "nothing"}.`, hint: "Write <base-name>-<40 hex>.pack and <base-name>-<same 40 hex>.idx, and print the 40 hex digits." });
      }
      const base = found;
      if (!base.endsWith(printed) || !/^[0-9a-f]{40}$/.test(printed)) t.fail({ message: `pack-objects printed ${JSON.stringify(printed)}, not the name in ${base}.pack.`, hint: "Print the 40 hex digits that name the pack (in <base-name>-<name>.pack), and a newline." });
      const packPath = join(out, `${base}.pack`);
      const idxPath = join(out, `${base}.idx`);
      const packBytes = readFileSync(packPath);
      const trailer = packBytes.length >= 20 ? packBytes.subarray(packBytes.length - 20).toString("hex") : "";
      if (/^[0-9a-f]{40}$/.test(printed) && printed !== trailer) t.fail({ message: `pack-objects named the pack ${printed}, but its trailing checksum (its last 20 bytes) is ${trailer}.`, hint: "Name the pack by its trailing checksum, the SHA-1 of every byte before it, as git does (not by a hash of the object ids, which older git used): <base-name>-<checksum>.pack and .idx, and print the checksum." });
      // index-pack of a copy of the .pack alone tells a broken .idx (the .pack holds exactly the objects given) from a broken .pack.
      const copy = join(t.dir, "copy.pack");
      copyFileSync(packPath, copy);
      const indexed = await g.git(["index-pack", "-o", join(t.dir, "copy.idx"), copy], { cwd: t.dir, allowFail: true });
      const verify = await g.git(["verify-pack", "-v", idxPath], { cwd: out, allowFail: true });
      if (verify.code !== 0) {
        const realIds = new Set(indexed.code === 0 ? idxIds(readFileSync(join(t.dir, "copy.idx"))) : []);
        const packIsRight = realIds.size === ids.length && ids.every((id) => realIds.has(id));
        const hint = packIsRight
          ? `git index-pack accepts your .pack alone and finds in it exactly the objects given, so your .idx is what is wrong. ${idxDifference(readFileSync(idxPath), readFileSync(join(t.dir, "copy.idx")))}`
          : `A pack is "PACK", version 2 and the object count (4 bytes each), the entries, then the SHA-1 of all that; each delta must rebuild its object exactly. ${COPY} ${IDX_LAYOUT}`;
        t.fail({ message: `git verify-pack rejects your pack:\n${verify.output.trim().split("\n").slice(-6).join("\n")}`, hint });
      }
      const listed = verifyPackObjects(verify.stdout);
      const missing = ids.filter((id) => !listed.some((o) => o.oid === id));
      if (missing.length > 0) t.fail({ message: `Your pack lacks ${missing.length} of the ${ids.length} objects given on stdin (for example ${missing[0]}).`, hint: "Pack every object whose id is given on stdin, one per line." });
      const deltas = listed.filter((o) => o.depth > 0).length;
      if (deltas === 0) t.fail({ message: `Your pack has no deltas: all ${listed.length} objects are stored whole, though the history holds seven versions of two growing files.`, hint: DELTAS });
      const far = deltaCopies(packPath, listed).filter((c) => c.maxOffset >= 65536).length;
      t.log.note(`verify-pack: ${listed.length} objects, ${deltas} of them deltas, ${far} copying from an offset ≥ 65536`);
      if (indexed.code !== 0) t.fail({ message: `git index-pack rejects your pack:\n${indexed.output.trim()}`, hint: `${DELTAS} ${COPY} A delta's header gives the base's size and the result's size as varints (7 bits a byte, least significant first).` });
      g.expectBytes(readFileSync(idxPath), readFileSync(join(t.dir, "copy.idx")), { message: "Your .idx differs from the one git index-pack writes for your pack.", hint: idxDifference(readFileSync(idxPath), readFileSync(join(t.dir, "copy.idx"))) });
      const fresh = await g.realRepo("fresh");
      copyFileSync(packPath, join(fresh, ".git", "objects", "pack", `${base}.pack`));
      copyFileSync(idxPath, join(fresh, ".git", "objects", "pack", `${base}.idx`));
      t.log.command(`cp ${packPath} ${idxPath} ${join(fresh, ".git", "objects", "pack")}/`);
      await g.fsck(fresh, () => `Real git reads the objects from your pack and finds them wrong. ${DELTAS}`);
      const head = (await g.git(["rev-parse", "HEAD"], { cwd: repo })).stdout.trim();
      await g.git(["log", "--oneline", head], { cwd: fresh, hint: "Real git cannot walk the history from your pack alone." });
    },
  },
]);
