import { expect, test } from "bun:test";
import { parseDemo } from "./challenge/demo.ts";
import { flagValue } from "./cmdline.ts";
import { selfTests } from "./self-test.ts";
import { parseSelection, resolveSelection } from "./stage/selection.ts";

/** The stage ids a selection of the demo challenge runs, regression stages marked with "+". */
function run(text: string, only = false): string[] {
  return resolveSelection(parseDemo(), parseSelection(text, only)).map((s) => `${s.regression ? "+" : ""}${s.stage.id}`);
}

function errorOf(text: string, only = false): string {
  try {
    run(text, only);
  } catch (e) {
    return (e as Error).message;
  }
  return "(no error)";
}

selfTests("command-line options", () => {
  test("flags are read in = and space forms, the last one winning", () => {
    const argv = ["bun", "test", "--stage=redis/3", "--impl", "./run.sh", "--real", "--stage=redis/4"];
    expect(flagValue(argv, "stage")).toBe("redis/4");
    expect(flagValue(argv, "impl")).toBe("./run.sh");
    expect(flagValue(argv, "real")).toBe("");
    expect(flagValue(argv, "seed")).toBeUndefined();
  });

  test("a selection is <challenge>[/<extension>][/<stage>]", () => {
    expect(parseSelection("redis/3", false)).toMatchObject({ challenge: "redis", stage: 3, only: false });
    expect(parseSelection("redis/lists/2", true)).toMatchObject({ challenge: "redis", extension: "lists", stage: 2, only: true });
    expect(parseSelection("redis/lists", false)).toEqual({ challenge: "redis", extension: "lists", only: false, text: "redis/lists" });
    expect(parseSelection("redis", false)).toEqual({ challenge: "redis", only: false, text: "redis" });
    expect(() => parseSelection("redis/3/lists", true)).toThrow("--stage-only=redis/3/lists: expected <challenge>/<stage number> or <challenge>/<extension>/<stage number>");
    expect(() => parseSelection("redis/lists/2/1", false)).toThrow("--stage=redis/lists/2/1: expected");
  });

  test("a base stage runs first, then the base stages before it", () => {
    expect(run("demo/3")).toEqual(["3", "+1", "+2"]);
    expect(run("demo/1")).toEqual(["1"]);
    expect(run("demo/3", true)).toEqual(["3"]);
  });

  test("an extension stage runs first, then every base stage, the extensions it requires (transitively) and its earlier stages", () => {
    expect(run("demo/blocking/2")).toEqual(["blocking/2", "+1", "+2", "+3", "+sets/1", "+sets/2", "+lists/1", "+lists/2", "+blocking/1"]);
    expect(run("demo/sets/1")).toEqual(["sets/1", "+1", "+2", "+3"]);
    expect(run("demo/blocking/2", true)).toEqual(["blocking/2"]);
  });

  test("an extension without a number means its last stage; a challenge alone means every stage", () => {
    expect(run("demo/lists")).toEqual(["lists/2", "+1", "+2", "+3", "+sets/1", "+sets/2", "+lists/1"]);
    expect(run("demo/lists", true)).toEqual(["lists/1", "lists/2"]);
    expect(run("demo")).toEqual(["1", "2", "3", "lists/1", "lists/2", "sets/1", "sets/2", "blocking/1", "blocking/2", "blocking/3"]);
  });

  test("an unknown extension or stage number names what exists", () => {
    expect(errorOf("demo/hashes/1")).toBe('--stage=demo/hashes/1: the demo challenge has no extension "hashes"; its extensions: lists, sets, blocking (see: bun run stages demo)');
    expect(errorOf("demo/lists/3", true)).toBe("--stage-only=demo/lists/3: the lists extension of demo has stages 1 to 2 (see: bun run stages demo)");
    expect(errorOf("demo/4")).toBe("--stage=demo/4: the demo challenge has base stages 1 to 3; its extensions: lists, sets, blocking (see: bun run stages demo)");
    expect(errorOf("demo/0")).toContain("has base stages 1 to 3");
  });
});
