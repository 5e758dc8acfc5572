import { expect, test } from "bun:test";
import { selfTests } from "../self-test.ts";
import { applySite, codeMask, findSites } from "./sites.ts";

selfTests("mutation sites", () => {
  test("comments, strings, templates and regular expressions are not code", () => {
    const src = `const a = "x === y"; // a < b\nconst r = /a === b/; const t = \`1 && 2\`; /* c > d */ if (a === b) f();`;
    const mask = codeMask(src);
    const codeText = [...src].filter((_, i) => mask[i]).join("");
    expect(codeText).not.toContain("x === y");
    expect(codeText).not.toContain("a < b");
    expect(codeText).not.toContain("a === b/");
    expect(codeText).not.toContain("1 && 2");
    expect(codeText).not.toContain("c > d");
    expect(codeText).toContain("if (a === b) f();");
  });

  test("each operator finds its site in code and only there", () => {
    const src = [
      `import { x } from "./y.ts";`,
      `if (a === 1 && b < 2) return true;`,
      `const s = "a === 1";`,
      `  doThing(a, b);`,
      `const n = len - 1;`,
      `if (!ok) stop();`,
      `const v = x! + 1;`,
    ].join("\n");
    const ops = findSites(src).map((s) => `${s.operator}@${src.slice(s.at, s.at + s.from.length)}`);
    expect(ops).toContain("=== → !==@===");
    expect(ops).toContain("&& → ||@ && ");
    expect(ops).toContain("< → <=@ < ");
    expect(ops).toContain("true → false@true");
    expect(ops).toContain("drop call@doThing(a, b);");
    expect(ops).toContain("- 1 → + 1@ - 1");
    expect(ops).toContain("drop !@!");
    expect(ops).toContain("+ 1 → - 1@ + 1");
    // Nothing inside the string literal, the import line, or the non-null assertion `x!`.
    expect(findSites(src).filter((s) => s.at >= src.indexOf(`"a === 1"`) && s.at < src.indexOf(`"a === 1"`) + 9)).toEqual([]);
    expect(findSites(src).filter((s) => s.at < src.indexOf("\n"))).toEqual([]);
    expect(findSites(src).filter((s) => s.operator === "drop !").length).toBe(1);
  });

  test("a mutant differs from the source in exactly the site", () => {
    const src = "if (a >= 3) go();";
    const site = findSites(src).find((s) => s.operator === ">= → >")!;
    expect(applySite(src, site)).toBe("if (a > 3) go();");
  });
});
