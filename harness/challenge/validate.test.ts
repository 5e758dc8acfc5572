import { expect, test } from "bun:test";
import { selfTests } from "../self-test.ts";
import { DEMO_EXTENSIONS, DEMO_YAML, parseDemo } from "./demo.ts";
import { loadAllChallenges, parseChallenge } from "./load.ts";
import { allStages, findStage, prerequisites, stageName } from "./stages.ts";

const GOOD = `
name: Demo
summary: A demo.
program: { kind: server, args: ["--port", "{port}"], ready: tcp, reference: bun demo.ts }
clients: [{ binary: nc, package: netcat-openbsd }]
stages:
  - { number: 1, slug: first, name: First, difficulty: easy, spec: [{ title: RFC 1, url: "https://example.org/rfc1" }] }
`;

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return "(no error)";
}

/** The demo challenge with one extension file's text changed by `edit`. */
function withExtension(slug: string, edit: (text: string) => string): Record<string, string> {
  return { ...DEMO_EXTENSIONS, [slug]: edit(DEMO_EXTENSIONS[slug]!) };
}

selfTests("challenge.yaml validation", () => {
  test("a well-formed file loads", () => {
    const c = parseChallenge(GOOD, "f.yaml", "demo");
    expect(c.stages[0]!.slug).toBe("first");
    expect(c.stages[0]!.id).toBe("1");
    expect(c.extensions).toEqual([]);
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
    ["an empty real_differs", GOOD.replace("difficulty: easy", 'difficulty: easy, real_differs: ""'), "stages[0].real_differs: must be a non-empty string"],
    ["broken YAML", "name: [unclosed", "challenges/demo/challenge.yaml: (yaml):"],
    ["an extension without its file", GOOD + "extensions: [lists]\n", 'challenges/demo/challenge.yaml: extensions[0]: the extension "lists" has no file challenges/demo/extensions/lists.yaml'],
    ["extensions that are not a list", GOOD + "extensions: lists\n", "challenges/demo/challenge.yaml: extensions: must be a list of strings"],
  ])("%s is reported with the file and field", (_, text, message) => {
    expect(errorOf(() => parseChallenge(text, "challenges/demo/challenge.yaml", "demo"))).toContain(message);
  });

  test("extensions load in the listed order, with stage ids, names and requires", () => {
    const c = parseDemo();
    expect(c.extensions.map((e) => [e.slug, e.name, e.requires])).toEqual([
      ["lists", "Lists", ["sets"]],
      ["sets", "Sets", []],
      ["blocking", "Blocking", ["lists"]],
    ]);
    expect(c.stages.map((s) => s.id)).toEqual(["1", "2", "3"]);
    expect(allStages(c).map((s) => s.id)).toEqual(["1", "2", "3", "lists/1", "lists/2", "sets/1", "sets/2", "blocking/1", "blocking/2", "blocking/3"]);
    const s = findStage(c, "lists/2")!;
    expect([s.extension, s.number, s.slug, stageName(c, s)]).toEqual(["lists", 2, "range", "demo/lists/2"]);
    expect(c.extensions[0]!.file).toBe("challenges/demo/extensions/lists.yaml");
    expect(findStage(c, "3")?.extension).toBeUndefined();
    expect(findStage(c, "lists/3")).toBeUndefined();
  });

  test("an extension stage's regression is every base stage, the required extensions (transitively, required first), then its own earlier stages", () => {
    const c = parseDemo();
    const ids = (id: string) => prerequisites(c, findStage(c, id)!).map((s) => s.id);
    expect(ids("2")).toEqual(["1"]);
    expect(ids("sets/1")).toEqual(["1", "2", "3"]);
    expect(ids("lists/2")).toEqual(["1", "2", "3", "sets/1", "sets/2", "lists/1"]);
    expect(ids("blocking/3")).toEqual(["1", "2", "3", "sets/1", "sets/2", "lists/1", "lists/2", "blocking/1", "blocking/2"]);
  });

  test("real_differs is read on base and extension stages", () => {
    const c = parseDemo(DEMO_YAML.replace("slug: third,", 'slug: third, real_differs: "the real server picks another port",'), withExtension("sets", (t) => t.replace("slug: members,", "slug: members, real_differs: order differs,")));
    expect(findStage(c, "3")!.realDiffers).toBe("the real server picks another port");
    expect(findStage(c, "sets/2")!.realDiffers).toBe("order differs");
    expect(findStage(c, "sets/1")!.realDiffers).toBeUndefined();
  });

  test.each([
    ["an extension listed twice", () => parseDemo(DEMO_YAML.replace("[lists, sets, blocking]", "[lists, sets, blocking, sets]")), 'challenges/demo/challenge.yaml: extensions[3]: "sets" is listed twice'],
    ["an extension slug that is a number", () => parseDemo(DEMO_YAML.replace("[lists, sets, blocking]", "[lists, sets, blocking, 7]")), "challenges/demo/challenge.yaml: extensions: must be a list of strings"],
    ["an extension slug that is not a word", () => parseDemo(DEMO_YAML.replace("[lists, sets, blocking]", '[lists, sets, blocking, "2x"]')), 'extensions[3]: must be lowercase words joined by "-", starting with a letter (got "2x")'],
    ["an unknown extension in the list", () => parseDemo(DEMO_YAML.replace("[lists, sets, blocking]", "[lists, sets, blocking, streams]")), 'challenges/demo/challenge.yaml: extensions[3]: the extension "streams" has no file challenges/demo/extensions/streams.yaml'],
    ["an unknown extension in requires", () => parseDemo(DEMO_YAML, withExtension("lists", (t) => t.replace("requires: [sets]", "requires: [sets, streams]"))), 'challenges/demo/extensions/lists.yaml: requires[1]: unknown extension "streams" (challenges/demo/challenge.yaml lists: lists, sets, blocking)'],
    ["an extension that requires itself", () => parseDemo(DEMO_YAML, withExtension("sets", (t) => `requires: [sets]\n${t}`)), 'challenges/demo/extensions/sets.yaml: requires[0]: an extension cannot require itself ("sets")'],
    ["extensions that require each other", () => parseDemo(DEMO_YAML, withExtension("sets", (t) => `requires: [blocking]\n${t}`)), "challenges/demo/extensions/lists.yaml: requires: extensions cannot require each other in a cycle (lists → sets → blocking → lists)"],
    ["an extension without stages", () => parseDemo(DEMO_YAML, withExtension("sets", (t) => t.replace(/stages:[\s\S]*/, "stages: []\n"))), "challenges/demo/extensions/sets.yaml: stages: must list at least one stage"],
    ["an extension stage out of order", () => parseDemo(DEMO_YAML, withExtension("lists", (t) => t.replace("number: 2,", "number: 3,"))), "challenges/demo/extensions/lists.yaml: stages[1].number: stages must be numbered 1, 2, 3… in order (expected 2, got 3)"],
    ["an extension stage slug used twice", () => parseDemo(DEMO_YAML, withExtension("lists", (t) => t.replace("slug: range,", "slug: push,"))), 'challenges/demo/extensions/lists.yaml: stages[1].slug: "push" is used twice'],
    ["an extension stage without spec", () => parseDemo(DEMO_YAML, withExtension("lists", (t) => t.replace(/spec: \[.*?\] \}/, "spec: [] }"))), "challenges/demo/extensions/lists.yaml: stages[0].spec: every stage cites at least one spec section"],
    ["an unknown field in an extension", () => parseDemo(DEMO_YAML, withExtension("lists", (t) => `colour: red\n${t}`)), "challenges/demo/extensions/lists.yaml: colour: unknown field (allowed: name, summary, requires, stages)"],
    ["an extension without a name", () => parseDemo(DEMO_YAML, withExtension("lists", (t) => t.replace("name: Lists\n", ""))), "challenges/demo/extensions/lists.yaml: name: must be a non-empty string"],
    ["an extension file that is not a mapping", () => parseDemo(DEMO_YAML, { ...DEMO_EXTENSIONS, sets: "- just a list\n" }), "challenges/demo/extensions/sets.yaml: (top level): must be a mapping"],
    ["broken YAML in an extension", () => parseDemo(DEMO_YAML, { ...DEMO_EXTENSIONS, sets: "name: [unclosed" }), "challenges/demo/extensions/sets.yaml: (yaml):"],
  ])("%s is reported with the file and field", (_, load, message) => {
    expect(errorOf(load)).toContain(message);
  });

  test("every challenge in challenges/ validates", () => {
    expect(loadAllChallenges().length).toBeGreaterThan(0);
  });
});
