import { expect, test } from "bun:test";
import { selfTests } from "../../../harness/self-test.ts";
import { lineTopology } from "./broadcast.ts";
import { parseLine } from "./message.ts";
import { applyKv, LastWriteWinsKv, LinearizableKv, SequentialKv, TimestampOracle, type KvState } from "./services.ts";
import { Random } from "../../../harness/random.ts";
import { diagnose } from "./counter.ts";
import { pollProblem } from "./kafka.ts";
import { gridTopology, medianAndMax, percentile, stableLatencies } from "./efficiency.ts";

selfTests("distributed workbench", () => {
  test("gridTopology: Maelstrom's square grid, each node next to those above, below, left and right", () => {
    const ids = Array.from({ length: 9 }, (_, i) => `n${i + 1}`);
    const g = gridTopology(ids);
    expect(g.n1).toEqual(["n2", "n4"]);
    expect(g.n5).toEqual(["n4", "n6", "n2", "n8"]);
    expect(g.n9).toEqual(["n8", "n6"]);
    expect(gridTopology(ids.slice(0, 5)).n4).toEqual(["n5", "n1"]);
  });

  test("stableLatencies: up to the last read that missed the value, on any node; 0 when none did", () => {
    const reads = [
      { node: "n1", at: 90, has: new Set<unknown>([]) },
      { node: "n1", at: 150, has: new Set<unknown>([1]) },
      { node: "n2", at: 300, has: new Set<unknown>([2]) },
      { node: "n3", at: 420, has: new Set<unknown>([1, 2]) },
    ];
    const l = stableLatencies([{ value: 1, at: 100 }, { value: 2, at: 200 }, { value: 3, at: 500 }], reads);
    expect(l.get(1)).toBe(200); // n2 still missed it at 300 (the read at 90 came before the broadcast)
    expect(l.get(2)).toBe(0);
    expect(l.get(3)).toBe(0);
    expect(medianAndMax([300, 100, 200, 900])).toEqual({ median: 200, max: 900 });
    expect(medianAndMax([])).toEqual({ median: 0, max: 0 });
    expect(percentile([50, 10, 40, 20, 30, 60, 70, 80, 90, 100], 90)).toBe(90);
  });

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

  test("kv services: read, write, cas with Maelstrom's error codes 20 and 22, create_if_not_exists", () => {
    let state: KvState = new Map();
    const run = (body: Record<string, unknown>) => {
      const r = applyKv(state, { type: String(body.type), ...body });
      state = r.state;
      return r.reply;
    };
    expect(run({ type: "read", key: "x" })).toMatchObject({ type: "error", code: 20 });
    expect(run({ type: "cas", key: "x", from: 1, to: 2 })).toMatchObject({ type: "error", code: 20 });
    expect(run({ type: "cas", key: "x", from: 1, to: 2, create_if_not_exists: true })).toEqual({ type: "cas_ok" });
    expect(run({ type: "read", key: "x" })).toEqual({ type: "read_ok", value: 2 });
    expect(run({ type: "cas", key: "x", from: "2", to: 3 })).toMatchObject({ type: "error", code: 22 });
    expect(run({ type: "cas", key: "x", from: 2, to: 3 })).toEqual({ type: "cas_ok" });
    expect(run({ type: "write", key: "x", value: [1] })).toEqual({ type: "write_ok" });
    expect(run({ type: "read", key: "x" })).toEqual({ type: "read_ok", value: [1] });
    expect(run({ type: "append", key: "x" })).toMatchObject({ type: "error", code: 10 });
    const lin = new LinearizableKv();
    lin.handle("n1", { type: "write", key: 1, value: "a" });
    expect(lin.handle("n2", { type: "read", key: 1 })).toEqual({ type: "read_ok", value: "a" });
  });

  test("seq-kv: a client that only reads keeps an old state; its updates apply to the newest; each client moves forward only", () => {
    const rand = new Random("seq-kv");
    const kv = new SequentialKv((lo, hi) => rand.int(lo, hi));
    expect(kv.handle("n1", { type: "write", key: "k", value: 1 })).toEqual({ type: "write_ok" });
    // n2 never saw the write: its reads stay on the state before it, however often it reads.
    for (let i = 0; i < 20; i++) expect(kv.handle("n2", { type: "read", key: "k" })).toMatchObject({ type: "error", code: 20 });
    // A cas from a stale belief fails on the newest state: updates do not go back in time.
    expect(kv.handle("n2", { type: "cas", key: "k", from: 0, to: 5, create_if_not_exists: true })).toMatchObject({ type: "error", code: 22 });
    // n2's failed cas saw the newest state, so it reads 1 from now on.
    expect(kv.handle("n2", { type: "read", key: "k" })).toEqual({ type: "read_ok", value: 1 });
    // n1 counts up; n3 reads along: stale values, but never going backwards.
    let last = 0;
    for (let v = 2; v <= 40; v++) {
      kv.handle("n1", { type: "write", key: "k", value: v });
      const r = kv.handle("n3", { type: "read", key: "k" });
      if (r.type === "read_ok") {
        expect(r.value as number).toBeGreaterThanOrEqual(last);
        expect(r.value as number).toBeLessThan(v);
        last = r.value as number;
      }
    }
    // A write of a value no one wrote before brings the writer to the newest state.
    kv.handle("n3", { type: "write", key: "sync", value: "n3-1" });
    expect(kv.handle("n3", { type: "read", key: "k" })).toEqual({ type: "read_ok", value: 40 });
  });

  test("lww-kv: replicas answer on their own and converge; lin-tso counts from 0", () => {
    const rand = new Random("lww-kv");
    const kv = new LastWriteWinsKv((lo, hi) => rand.int(lo, hi));
    kv.handle("n1", { type: "write", key: "k", value: "a" });
    const reads = Array.from({ length: 200 }, () => kv.handle("n2", { type: "read", key: "k" }));
    expect(reads.some((r) => r.type === "error" && r.code === 20)).toBe(true);
    expect(reads.slice(-5).every((r) => r.type === "read_ok" && r.value === "a")).toBe(true);
    const tso = new TimestampOracle();
    expect([0, 1, 2].map(() => tso.handle("n1", { type: "ts" }))).toEqual([0, 1, 2].map((ts) => ({ type: "ts_ok", ts })));
  });

  test("g-counter final reads: the hint follows from the values read", () => {
    const added = { sum: 30, perNode: new Map([["n1", 10], ["n2", 20]]) };
    const hint = (values: [string, number][]) => diagnose(added, new Map(values));
    expect(hint([["n1", 10], ["n2", 20]])).toContain("the nodes do not share their counts");
    expect(hint([["n1", 30], ["n2", 31]])).toContain("counted twice");
    expect(hint([["n1", 30], ["n2", 25]])).toContain("The nodes disagree");
    expect(hint([["n1", 25], ["n2", 25]])).toContain("overwrites an add another node made");
  });

  test("kafka polls: handmade histories that pass and that fail", () => {
    const log = new Map([0, 1, 2, 4, 7].map((o) => [o, { msg: o * 10 }] as const));
    const problem = (from: number, pairs: [number, unknown][]) => pollProblem(log, from, pairs)?.message ?? "ok";
    expect(problem(0, [])).toBe("ok");
    expect(problem(0, [[0, 0], [1, 10], [2, 20]])).toBe("ok");
    // Sparse offsets: 3 was never acknowledged, so jumping from 2 to 4 is no skip; an unknown offset (a send in flight) is allowed.
    expect(problem(2, [[2, 20], [3, 99], [4, 40]])).toBe("ok");
    expect(problem(5, [[7, 70]])).toBe("ok");
    expect(problem(1, [[0, 0], [1, 10]])).toContain("before the offset asked for");
    expect(problem(0, [[1, 10], [0, 0]])).toContain("offsets must increase");
    expect(problem(0, [[0, 0], [0, 0]])).toContain("offsets must increase");
    expect(problem(0, [[0, 0], [1, 20]])).toContain("but send_ok gave offset 1 to msg 10");
    expect(problem(0, [[0, 0], [2, 20]])).toContain("it skips offset 1, which send_ok gave (msg 10)");
    expect(problem(2, [[7, 70]])).toContain("it skips offsets 2, 4");
  });
});
