import { expect, test } from "bun:test";
import { selfTests } from "../../../harness/self-test.ts";
import { lineTopology } from "./broadcast.ts";
import { parseLine } from "./message.ts";

selfTests("distributed workbench", () => {
  test("parseLine accepts a Maelstrom message and names what is wrong with anything else", () => {
    const ok = parseLine('{"src":"n1","dest":"c2","body":{"type":"echo_ok","in_reply_to":3,"echo":"x"}}');
    expect("message" in ok && ok.message.body.in_reply_to).toBe(3);
    const problem = (line: string) => {
      const r = parseLine(line);
      return "problem" in r ? r.problem : "accepted";
    };
    expect(problem("{")).toBe("is not JSON");
    expect(problem("[1]")).toBe("is not a JSON object");
    expect(problem('{"dest":"c1","body":{"type":"x"}}')).toBe('has no "src" string');
    expect(problem('{"src":"n1","body":{"type":"x"}}')).toBe('has no "dest" string');
    expect(problem('{"src":"n1","dest":"c1"}')).toBe('has no "body" object');
    expect(problem('{"src":"n1","dest":"c1","body":{"msg_id":1}}')).toBe('has a body without a "type" string');
  });

  test("lineTopology: each node's neighbours are the ones before and after it", () => {
    expect(lineTopology(["n3", "n1", "n2"])).toEqual({ n3: ["n1"], n1: ["n3", "n2"], n2: ["n1"] });
    expect(lineTopology(["n1"])).toEqual({ n1: [] });
  });
});
