import { expect, test } from "bun:test";
import { selfTests } from "../../../harness/self-test.ts";
import { checkKv, checkRegister, describeOp, type KvCall, type KvOp, type Outcome } from "./linearizability.ts";

/** A handmade operation on key "k": [start, end] in ms. */
function op(client: string, call: KvCall, outcome: Outcome, start: number, end: number, key = "k"): KvOp {
  return { client, node: "n1", key, call, outcome, start, end };
}
const read = (v: unknown): [KvCall, Outcome] => [{ f: "read" }, { kind: "ok", value: v }];
const write = (v: unknown): [KvCall, Outcome] => [{ f: "write", value: v }, { kind: "ok" }];
const cas = (from: unknown, to: unknown, kind: Outcome["kind"] = "ok"): [KvCall, Outcome] => [{ f: "cas", from, to }, { kind } as Outcome];
const at = (client: string, [call, outcome]: [KvCall, Outcome], start: number, end: number, key?: string) => op(client, call, outcome, start, end, key);
const far = () => Date.now() + 5000;

selfTests("distributed linearizability checker", () => {
  test("sequential and overlapping histories that have an order pass", () => {
    expect(checkRegister([at("c1", write(1), 0, 10), at("c2", read(1), 20, 30), at("c1", cas(1, 2), 40, 50), at("c2", read(2), 60, 70)], far())).toBe("linearizable");
    // A read overlapping a write may see the old or the new value.
    expect(checkRegister([at("c1", write(1), 0, 10), at("c1", write(2), 20, 60), at("c2", read(1), 30, 40), at("c3", read(2), 35, 45)], far())).toBe("linearizable");
    // A read of a key never written: error 20.
    expect(checkRegister([op("c1", { f: "read" }, { kind: "missing" }, 0, 5), at("c2", write(3), 10, 20)], far())).toBe("linearizable");
    // A cas refused with 22 while the value was something else.
    expect(checkRegister([at("c1", write(1), 0, 10), at("c2", cas(5, 6, "mismatch"), 20, 30), at("c2", read(1), 40, 50)], far())).toBe("linearizable");
  });

  test("a stale read fails: a read that starts after a write's reply sees the value before it", () => {
    const h = [at("c1", write(1), 0, 10), at("c1", write(2), 20, 30), at("c2", read(1), 40, 50)];
    expect(checkRegister(h, far())).toBe("not linearizable");
    const [f] = checkKv(h);
    expect(f!.culprit).toBe(h[2]!);
    expect(f!.core!.length).toBe(3);
  });

  test("a lost write fails: an acknowledged write that no later read sees", () => {
    const h = [at("c1", write(1), 0, 10), at("c2", write(2), 20, 30), at("c3", read(3), 25, 28), at("c1", read(1), 40, 50)];
    // read 3 sees a value nobody wrote as well; without it, the lost write alone:
    expect(checkRegister(h.filter((_, i) => i !== 2), far())).toBe("not linearizable");
    expect(checkRegister([op("c1", { f: "read" }, { kind: "missing" }, 40, 50), at("c2", write(2), 0, 10)], far())).toBe("not linearizable");
  });

  test("two successful cas from the same value with no write between them fail (cas not atomic)", () => {
    const h = [at("c1", write(1), 0, 10), at("c2", cas(1, 2), 20, 40), at("c3", cas(1, 3), 21, 41)];
    expect(checkRegister(h, far())).toBe("not linearizable");
    expect(checkRegister([...h.slice(0, 2), at("c3", cas(1, 3, "mismatch"), 21, 41)], far())).toBe("linearizable");
  });

  test("an indefinite write or cas may have happened, or not, at any time after it was sent", () => {
    const lost = at("c1", write(7), 0, 0);
    lost.outcome = { kind: "unknown" };
    // It happened: a later read sees it, even long after.
    expect(checkRegister([at("c2", write(1), 0, 5), lost, at("c2", read(1), 10, 20), at("c3", read(7), 100, 110)], far())).toBe("linearizable");
    // It did not happen.
    expect(checkRegister([at("c2", write(1), 0, 5), lost, at("c3", read(1), 100, 110)], far())).toBe("linearizable");
    // But not before it was sent.
    expect(checkRegister([at("c2", write(1), 0, 5), at("c3", read(7), 10, 20), { ...lost, start: 30 }], far())).toBe("not linearizable");
    // An unknown cas applies only if the value was its from.
    const maybe = at("c1", cas(1, 2, "unknown"), 10, 0);
    expect(checkRegister([at("c2", write(1), 0, 5), maybe, at("c3", read(2), 50, 60)], far())).toBe("linearizable");
    expect(checkRegister([at("c2", write(1), 0, 5), maybe, at("c3", read(1), 50, 60)], far())).toBe("linearizable");
    expect(checkRegister([at("c2", write(3), 0, 5), maybe, at("c3", read(2), 50, 60)], far())).toBe("not linearizable");
    // A definite failure (error 11) did nothing, and a read that got no reply observed nothing.
    expect(checkRegister([at("c2", write(1), 0, 5), op("c1", { f: "write", value: 9 }, { kind: "failed" }, 10, 20), op("c3", { f: "read" }, { kind: "unknown" }, 30, 0), at("c3", read(1), 50, 60)], far())).toBe("linearizable");
  });

  test("keys are independent registers; the report names the operation that broke the model and a small core", () => {
    const h = [at("c1", write(1), 0, 10, "a"), at("c1", write(5), 0, 10, "b"), at("c2", read(5), 12, 14, "b"), at("c2", write(2), 20, 30, "a"), at("c3", read(9), 22, 24, "b"), at("c3", read(1), 40, 50, "a"), at("c1", read(2), 60, 70, "a")];
    const findings = checkKv(h.filter((o) => !(o.key === "b" && o.call.f === "read" && (o.outcome as { value: unknown }).value === 9)));
    expect(findings.map((f) => [f.key, f.verdict])).toEqual([["a", "not linearizable"], ["b", "linearizable"]]);
    const a = findings[0]!;
    expect(describeOp(a.culprit!, 0)).toBe('c3 via n1: read [40–50 ms] → read_ok 1');
    expect(a.core!.map((o) => describeOp(o, 0))).toEqual(["c1 via n1: write 1 [0–10 ms] → write_ok", "c2 via n1: write 2 [20–30 ms] → write_ok", "c3 via n1: read [40–50 ms] → read_ok 1"]);
  });

  test("the search is bounded in time and memoised: 5 clients × 40 overlapping writes, then one impossible read, is decided quickly", () => {
    const h: KvOp[] = [];
    for (let c = 0; c < 5; c++) for (let i = 0; i < 40; i++) h.push(at(`c${c}`, write(c * 100 + i), i * 10 + c, i * 10 + 9 + c));
    h.push(at("c99", read(-1), 900, 910));
    const started = Date.now();
    expect(checkRegister(h, Date.now() + 4000)).toBe("not linearizable");
    expect(Date.now() - started).toBeLessThan(4000);
    expect(checkRegister(h, Date.now() - 1)).toBe("timed out");
  });
});
