import { expect, test } from "bun:test";
import { parseDemo } from "./challenge/demo.ts";
import { allStages } from "./challenge/stages.ts";
import { junitXml } from "./junit.ts";
import { selfTests } from "./self-test.ts";
import type { CaseResult } from "./stage/types.ts";
import { summarize } from "./summary.ts";

function result(stage: string, ok: boolean): CaseResult {
  return { challenge: "demo", stage, stageSlug: "s", case: "c", caseIndex: 1, caseCount: 1, ok, message: ok ? "" : "✗ failed\n  why", durationMs: 5, seed: "1", impl: "x" };
}

selfTests("grade summary and JUnit", () => {
  test("the summary counts stages by id, for the whole challenge, the base stages and each extension", () => {
    const c = parseDemo();
    const results = allStages(c).map((s) => result(s.id, s.id !== "2" && s.id !== "lists/2"));
    const s = summarize(c, allStages(c).filter((x) => x.extension !== "blocking"), results, "x");
    expect([s.selected.length, s.passed.length, s.firstFailing, s.score]).toEqual([7, 5, "2", 71]);
    expect(s.groups.map((g) => [g.extension, g.passed.length, g.selected.length, g.firstFailing])).toEqual([
      [null, 2, 3, "2"],
      ["lists", 1, 2, "lists/2"],
      ["sets", 2, 2, null],
    ]);
  });

  test("JUnit has one suite per stage, named by its full id", () => {
    const xml = junitXml([result("3", true), result("lists/2", false)]);
    expect(xml).toContain('<testsuite name="demo/3 s"');
    expect(xml).toContain('<testsuite name="demo/lists/2 s" tests="1" failures="1"');
    expect(xml).toContain('classname="demo.lists.02-s"');
  });

  test("JUnit records which program ran and where it came from, in each suite's properties", () => {
    const xml = junitXml([result("1", true)], [{ challenge: "demo", impl: "./run.sh", implFrom: "from --impl" }]);
    expect(xml).toContain('<property name="impl" value="./run.sh"/>');
    expect(xml).toContain('<property name="impl.from" value="from --impl"/>');
  });
});
