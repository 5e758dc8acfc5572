import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { selfTests } from "../../../harness/self-test.ts";
import { indexProblem } from "./git-index.ts";

/** A version 2 index of `paths` (all-zero stat data and ids), padded with `pad` NULs per entry. */
function index(paths: string[], pad = (n: number) => 8 - (n % 8), sum = (b: Buffer) => createHash("sha1").update(b).digest(), flagLength = (p: string) => p.length): Buffer {
  const header = Buffer.alloc(12);
  header.write("DIRC");
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(paths.length, 8);
  const parts = [header];
  for (const p of paths) {
    const fixed = Buffer.alloc(62);
    fixed.writeUInt32BE(1_700_000_000, 0);
    fixed.writeUInt32BE(0o100644, 24);
    fixed.writeUInt16BE(flagLength(p), 60);
    parts.push(fixed, Buffer.from(p), Buffer.alloc(pad(62 + p.length)));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, sum(body)]);
}

selfTests("git index diagnosis", () => {
  test("a well-formed index has no problem", () => {
    expect(indexProblem(index(["a.c", "a/b", "ab"]))).toBeUndefined();
  });
  test("names unsorted entries, missing padding and a wrong checksum", () => {
    expect(indexProblem(index(["b", "a"]))?.message).toContain("not sorted");
    expect(indexProblem(index(["abc", "b"], () => 1))?.message).toContain("NUL padding");
    expect(indexProblem(index(["abc"], () => 1))?.message).toContain("NUL padding");
    expect(indexProblem(index(["a"], undefined, (b) => createHash("sha1").update(b.subarray(12)).digest()))?.message).toContain("trailing checksum");
  });
  test("names a path length in the flags that is not the path's", () => {
    expect(indexProblem(index(["abc", "b"], undefined, undefined, () => 0))?.message).toContain("has 0 as its path length");
    expect(indexProblem(index(["abc"], undefined, undefined, (p) => p.length - 1))?.message).toContain("the path is 3 bytes");
  });
});
