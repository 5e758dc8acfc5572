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

  test("reads RESP3 types only when asked to", () => {
    const bytes = "%2\r\n$1\r\na\r\n,1.5\r\n$1\r\nb\r\n~2\r\n_\r\n#t\r\n";
    expect(parse(bytes)).toMatchObject({ kind: "invalid", offset: 0 });
    const r = parseReply(Buffer.from(bytes, "latin1"), { resp3: true });
    expect(r.kind).toBe("value");
    if (r.kind === "value") expect(showReply(r.value)).toBe('1# "a" => (double) 1.5\n2# "b" => 1~ (nil)\n   2~ (true)');
    const v = parseReply(Buffer.from(">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n=8\r\ntxt:done\r\n", "latin1"), { resp3: true });
    expect(v).toMatchObject({ kind: "value", value: { type: "push" } });
    if (v.kind === "value") expect(showReply(v.value)).toBe('1) "message"\n2) "c"\n3) done');
  });

  test.each([
    ["_x\r\n", 1, "nothing between"],
    [",1.5.2\r\n", 1, "must be a number"],
    ["=3\r\nabc\r\n", 4, "txt:"],
    ["!3\r\n", 0, "starts with one of"],
  ])("points at the bad byte of RESP3 %j", (input, offset, problem) => {
    const r = parseReply(Buffer.from(input, "latin1"), { resp3: true });
    expect(r).toMatchObject({ kind: "invalid", offset });
    if (r.kind === "invalid") expect(r.problem).toContain(problem);
  });

  test("encodes commands as arrays of bulk strings", () => {
    expect(encodeCommand(["SET", "k", "é"]).toString("latin1")).toBe("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n\xc3\xa9\r\n");
  });
});
