import { expect, test } from "bun:test";
import { Random } from "../../../harness/random.ts";
import { selfTests } from "../../../harness/self-test.ts";
import { diffProblem, editLines, LineMaker } from "./git-diff.ts";

selfTests("git diff helpers", () => {
  test("edits keep every line unique and only delete or insert lines (so the minimal diff is unique)", () => {
    for (let seed = 0; seed < 200; seed++) {
      const rand = new Random(String(seed));
      const make = new LineMaker(rand);
      const before = make.lines(rand.int(8, 40));
      const after = editLines(rand, make, before, rand.int(1, 3), rand.int(0, 1) === 1).lines;
      expect(new Set(after).size).toBe(after.length);
      // The lines both share appear in the same order: nothing moved.
      const kept = after.filter((l) => before.includes(l));
      expect(kept).toEqual(before.filter((l) => after.includes(l)));
    }
  });

  test("diffProblem names a diff that is correct but not minimal", () => {
    const head = "diff --git a/f b/f\nindex 1111111..2222222 100644\n--- a/f\n+++ b/f\n";
    const real = `${head}@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n`;
    const ours = `${head}@@ -1,3 +1,3 @@\n-a\n-b\n-c\n+a\n+B\n+c\n`;
    expect(diffProblem(ours, real).message).toContain("is not minimal: it removes 3 and adds 3 lines, where real git's removes 1 and adds 1");
    expect(diffProblem(`${head}@@ -1,3 +1,3 @@ x\n a\n-b\n+B\n c\n`, real).message).toContain("hunk headers");
    expect(diffProblem(real.replace("index 1111111..2222222 100644", "index 1111111..2222222"), real).message).toContain("header lines");
  });
});
