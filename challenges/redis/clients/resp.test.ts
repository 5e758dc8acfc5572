import { expect, test } from "bun:test";
import { selfTests } from "../../../harness/self-test.ts";
import { encodeCommand, parseReply, showReply } from "./resp.ts";

const parse = (s: string) => parseReply(Buffer.from(s, "latin1"));

selfTests("the harness's RESP reply reader", () => {
  test("reads each reply type", () => {
    const r = parse("*3\r\n+OK\r\n:-5\r\n$-1\r\n");
    expect(r.kind).toBe("value");
    if (r.kind === "value") expect(showReply(r.value)).toBe("1) OK\n2) (integer) -5\n3) (nil)");
  });

  test("waits for the rest of a split reply", () => {
    expect(parse("$5\r\nhel").kind).toBe("incomplete");
    expect(parse("+PONG\r").kind).toBe("incomplete");
  });

  test.each([
    ["PONG\r\n", 0, "starts with one of + - : $ *"],
    ["+PONG\n", 5, "bare \\n"],
    ["$3\r\nhello\r\n", 7, "is the length counted in bytes?"],
    [":12a\r\n", 1, "must be an integer"],
  ])("points at the bad byte of %j", (input, offset, problem) => {
    const r = parse(input);
    expect(r).toMatchObject({ kind: "invalid", offset });
    if (r.kind === "invalid") expect(r.problem).toContain(problem);
  });

  test("encodes commands as arrays of bulk strings", () => {
    expect(encodeCommand(["SET", "k", "é"]).toString("latin1")).toBe("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n\xc3\xa9\r\n");
  });
});
