import { expect, test } from "bun:test";
import { parseDemo } from "./challenge/demo.ts";
import { bunFlags } from "./bun-flags.ts";
import { closest } from "./closest.ts";
import { flagProblem, flagValue, splitArgs, testArgs } from "./cmdline.ts";
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

selfTests("flags bun test and syscraft know", () => {
  const bun = bunFlags();
  const problem = (...args: string[]) => flagProblem(args, bun, closest);

  test("bun's flags are read from bun's own help", () => {
    const names = bun.map((f) => f.name);
    for (const n of ["timeout", "bail", "test-name-pattern", "parallel", "rerun-each", "coverage", "reporter", "only", "todo", "update-snapshots", "preload", "watch"]) expect(names).toContain(n);
    expect(bun.find((f) => f.short === "t")?.name).toBe("test-name-pattern");
  });

  test("a flag neither knows is an error naming the closest known flag (seen: --imlp ran the reference)", () => {
    expect(problem("--stage=redis/10", "--imlp=./exits.sh")).toStartWith("unknown flag --imlp=./exits.sh (did you mean --impl?)");
    expect(problem("--stage-onyl=redis/3")).toStartWith("unknown flag --stage-onyl=redis/3 (did you mean --stage-only?)");
    expect(problem("--stage=redis/3", "--verbos")).toContain("(did you mean --verbose?)");
    expect(problem("-q")).toStartWith("unknown flag -q");
  });

  test("bun's own flags stay accepted, with their values in either form", () => {
    expect(problem("--stage=redis/3", "--timeout=20000", "--bail", "-t", "PING", "--parallel=2", "--rerun-each=2", "--coverage", "--reporter=junit", "--reporter-outfile", "x.xml", "--only", "--todo", "--update-snapshots", "--preload", "./x.ts", "--watch", "--seed=4", "--real", "--verbose")).toBeUndefined();
    expect(problem("--stage", "redis", "--impl", "./run.sh")).toBeUndefined();
  });

  test("a syscraft flag without its value is an error", () => {
    expect(problem("--stage=redis/3", "--impl")).toBe('--impl needs a value, e.g. --impl="./your_program.sh"');
    expect(problem("--impl", "--stage=redis/3")).toBe('--impl needs a value, e.g. --impl="./your_program.sh"');
    expect(problem("--impl=")).toBe('--impl needs a value, e.g. --impl="./your_program.sh"');
  });

  test("the arguments after `test` are checked", () => {
    expect(testArgs(["/usr/bin/bun", "test", "--stage=redis/1"])).toEqual(["--stage=redis/1"]);
  });
});

selfTests("splitting a bun test command line", () => {
  test("flags take the next word as their value only when they take one and have none inline", () => {
    const words = splitArgs(["--stage", "redis/3", "-t", "PING", "--bail", "--timeout=5", "file", "--", "--x"], bunFlags());
    expect(words.map((w) => (w.kind === "flag" ? `${w.flag?.name ?? w.name}=${w.value ?? ""}${w.syscraft ? " (syscraft)" : ""}` : `pos:${w.arg}`))).toEqual([
      "stage=redis/3 (syscraft)",
      "test-name-pattern=PING",
      "bail=",
      "timeout=5",
      "pos:file",
      "pos:--x",
    ]);
  });

  test("--bail, --parallel and --changed take a value only inline, as bun does (seen: `--parallel a.test.ts b.test.ts` named only b in the first line)", () => {
    const words = splitArgs(["--parallel", "a.test.ts", "--bail", "b.test.ts", "--changed", "c.test.ts", "--parallel=2", "--timeout", "5"], bunFlags());
    expect(words.map((w) => (w.kind === "flag" ? `${w.name}=${w.value ?? ""}` : `pos:${w.arg}`))).toEqual(["parallel=", "pos:a.test.ts", "bail=", "pos:b.test.ts", "changed=", "pos:c.test.ts", "parallel=2", "timeout=5"]);
  });
});
