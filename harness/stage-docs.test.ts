/**
 * Every stage's instructions share one structure, so a learner finds the same
 * thing in the same place in every challenge: a title, the introduction, then
 * these sections in this order (others may come between them).
 */
import { expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { loadAllChallenges, stageDocFile } from "./challenge/load.ts";
import { allStages } from "./challenge/stages.ts";
import { ROOT } from "./paths.ts";
import { selfTests } from "./self-test.ts";

export const STAGE_SECTIONS = ["What to do", "How it is tested", "Run it", "Spec"] as const;

/** What is wrong with a stage document's structure, or [] . */
export function structureProblems(text: string): string[] {
  const headings = text.split("\n").filter((l) => l.startsWith("## ")).map((l) => l.slice(3).trim());
  const problems: string[] = [];
  if (!/^# .+/.test(text)) problems.push("does not start with a '# ' title");
  let at = -1;
  for (const section of STAGE_SECTIONS) {
    const i = headings.indexOf(section);
    if (i === -1) problems.push(`has no '## ${section}' section`);
    else if (i < at) problems.push(`'## ${section}' comes before the section it should follow (order: ${STAGE_SECTIONS.join(", ")})`);
    else at = i;
  }
  return problems;
}

selfTests("stage instructions share one structure", () => {
  test("the structure check itself: a document with the sections in order passes, one out of order or missing fails", () => {
    expect(structureProblems("# Stage 1\n\nIntro\n\n## What to do\n\n## How it is tested\n\n## Run it\n\n## Spec\n")).toEqual([]);
    expect(structureProblems("# Stage 1\n\n## What to do\n\n## Run it\n\n## How it is tested\n\n## Spec\n").length).toBe(1);
    expect(structureProblems("# Stage 1\n\n## What to do\n\n## How it is tested\n\n## Try it\n\n## Spec\n")).toEqual(["has no '## Run it' section"]);
  });
  for (const c of loadAllChallenges()) {
    test(`${c.slug}: every stage's .md has ${STAGE_SECTIONS.map((s) => `'${s}'`).join(", ")}, in that order`, () => {
      const problems = allStages(c).flatMap((s) => {
        const doc = stageDocFile(c, s);
        return existsSync(doc) ? structureProblems(readFileSync(doc, "utf8")).map((p) => `${relative(ROOT, doc)} ${p}`) : [];
      });
      expect(problems).toEqual([]);
    });
  }
});
