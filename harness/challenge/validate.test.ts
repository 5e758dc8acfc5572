import { expect, test } from "bun:test";
import { selfTests } from "../self-test.ts";
import { loadAllChallenges, parseChallenge } from "./load.ts";

const GOOD = `
name: Demo
summary: A demo.
program: { kind: server, args: ["--port", "{port}"], ready: tcp, reference: bun demo.ts }
clients: [{ binary: nc, package: netcat-openbsd }]
stages:
  - { number: 1, slug: first, name: First, difficulty: easy, spec: [{ title: RFC 1, url: "https://example.org/rfc1" }] }
`;

function errorOf(text: string): string {
  try {
    parseChallenge(text, "challenges/demo/challenge.yaml", "demo");
  } catch (e) {
    return (e as Error).message;
  }
  return "(no error)";
}

selfTests("challenge.yaml validation", () => {
  test("a well-formed file loads", () => {
    const c = parseChallenge(GOOD, "f.yaml", "demo");
    expect(c.stages[0]!.slug).toBe("first");
    expect(c.program.ready).toBe("tcp");
  });

  test.each([
    ["a missing field", GOOD.replace("name: Demo\n", ""), "challenges/demo/challenge.yaml: name: must be a non-empty string"],
    ["a bad difficulty", GOOD.replace("difficulty: easy", "difficulty: trivial"), 'stages[0].difficulty: must be one of "very easy", "easy"'],
    ["stages out of order", GOOD.replace("number: 1", "number: 2"), "stages[0].number: stages must be numbered 1, 2, 3"],
    ["an unknown field", GOOD.replace("summary:", "colour: red\nsummary:"), "colour: unknown field"],
    ["a server without a port", GOOD.replace('["--port", "{port}"]', "[]"), "program.args: must pass the port"],
    ["a stage without spec", GOOD.replace(/spec: \[.*\] \}/, "spec: [] }"), "stages[0].spec: every stage cites at least one spec section"],
    ["a spec that is not a URL", GOOD.replace('"https://example.org/rfc1"', "rfc1"), "stages[0].spec[0].url: must be an http(s) URL"],
    ["broken YAML", "name: [unclosed", "challenges/demo/challenge.yaml: (yaml):"],
  ])("%s is reported with the file and field", (_, text, message) => {
    expect(errorOf(text)).toContain(message);
  });

  test("every challenge in challenges/ validates", () => {
    expect(loadAllChallenges().length).toBeGreaterThan(0);
  });
});
