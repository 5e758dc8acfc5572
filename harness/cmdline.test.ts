import { expect, test } from "bun:test";
import { flagValue } from "./cmdline.ts";
import { selfTests } from "./self-test.ts";
import { parseSelection } from "./stage/selection.ts";

selfTests("command-line options", () => {
  test("flags are read in = and space forms, the last one winning", () => {
    const argv = ["bun", "test", "--stage=redis/3", "--impl", "./run.sh", "--real", "--stage=redis/4"];
    expect(flagValue(argv, "stage")).toBe("redis/4");
    expect(flagValue(argv, "impl")).toBe("./run.sh");
    expect(flagValue(argv, "real")).toBe("");
    expect(flagValue(argv, "seed")).toBeUndefined();
  });

  test("a selection is <challenge>/<stage>", () => {
    expect(parseSelection("redis/3", false)).toMatchObject({ challenge: "redis", stage: 3, only: false });
    expect(() => parseSelection("redis", true)).toThrow("--stage-only=redis: expected <challenge>/<stage number>");
  });
});
