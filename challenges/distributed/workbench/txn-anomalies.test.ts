import { expect, test } from "bun:test";
import { selfTests } from "../../../harness/self-test.ts";
import { checkTxns, type Mop, type Txn } from "./txn-anomalies.ts";

let clock = 0;
/** A committed transaction: its micro-operations as answered (reads filled in); sent with reads null. */
function ok(...mops: Mop[]): Txn {
  const start = (clock += 10);
  return { client: "c1", node: "n1", sent: mops.map((m) => (m[0] === "r" ? ["r", m[1], null] : m)), outcome: { kind: "ok", mops }, start, end: start + 5 };
}
function failed(...mops: Mop[]): Txn {
  const start = (clock += 10);
  return { client: "c1", node: "n1", sent: mops, outcome: { kind: "failed", code: 30 }, start, end: start + 5 };
}
function unknown(...mops: Mop[]): Txn {
  const start = (clock += 10);
  return { client: "c1", node: "n1", sent: mops, outcome: { kind: "unknown" }, start, end: start + 5 };
}
const r = (k: number, v: number | null): Mop => ["r", k, v];
const w = (k: number, v: number): Mop => ["w", k, v];
const kinds = (h: Txn[]) => checkTxns(h).map((a) => a.kind);

selfTests("distributed transaction anomaly checker", () => {
  test("histories without anomalies pass", () => {
    // Reads of nothing, of committed writes, of the transaction's own writes.
    expect(kinds([ok(r(1, null), w(1, 10)), ok(r(1, 10), w(1, 11), r(1, 11)), ok(r(1, 11), r(2, null))])).toEqual([]);
    // Read uncommitted or committed values in any order that makes no cycle: two transactions both reading the initial state and writing.
    expect(kinds([ok(r(1, null), w(2, 20)), ok(r(2, null), w(1, 10)), ok(r(1, 10), r(2, 20))])).toEqual([]);
    // A read of a write whose outcome is unknown (it may have happened), and a failed transaction nobody read.
    expect(kinds([unknown(w(1, 10)), ok(r(1, 10)), failed(w(2, 20)), ok(r(2, null))])).toEqual([]);
    // A transaction's last write to a key may be read; a chain of read-then-write is no cycle.
    expect(kinds([ok(w(1, 1), w(1, 2)), ok(r(1, 2), w(1, 3)), ok(r(1, 3), w(1, 4)), ok(r(1, 4))])).toEqual([]);
  });

  test("G1a: a read of a value written by a transaction that was refused with a definite error", () => {
    const h = [failed(w(1, 10), w(2, 20)), ok(r(2, 20))];
    const [a] = checkTxns(h);
    expect(a!.kind).toBe("G1a");
    expect(a!.txns).toEqual([h[1]!, h[0]!]);
    expect(a!.explain).toContain("refused with error 30");
  });

  test("G1b: a read of a value its writer overwrote later in the same transaction", () => {
    const h = [ok(w(1, 10), w(1, 11)), ok(r(1, 10))];
    expect(kinds(h)).toEqual(["G1b"]);
    expect(checkTxns(h)[0]!.explain).toContain("intermediate value");
    // The writer reading its own intermediate value is fine.
    expect(kinds([ok(w(1, 10), r(1, 10), w(1, 11))])).toEqual([]);
  });

  test("G0: a cycle of write-write edges (each read the other's write of a key, then wrote the key)", () => {
    const t1 = ok(w(1, 10), r(2, 21), w(2, 12));
    const t2 = ok(w(2, 21), r(1, 10), w(1, 22));
    expect(kinds([t1, t2])).toEqual(["G0"]);
    const [a] = checkTxns([t1, t2]);
    expect(a!.explain).toContain("then wrote");
    expect(new Set(a!.txns)).toEqual(new Set([t1, t2]));
    // Three transactions around a ring of keys.
    expect(kinds([ok(w(1, 10), r(3, 30), w(3, 11)), ok(w(2, 20), r(1, 10), w(1, 21)), ok(w(3, 30), r(2, 20), w(2, 31))])).toEqual(["G0"]);
  });

  test("G1c: a cycle with write-read edges (each read what the other wrote), no write cycle", () => {
    const t1 = ok(w(1, 10), r(2, 20));
    const t2 = ok(w(2, 20), r(1, 10));
    expect(kinds([t1, t2])).toEqual(["G1c"]);
    const [a] = checkTxns([t1, t2]);
    expect(a!.explain).toBe("T2 read 1=10, which T1 wrote; T1 read 2=20, which T2 wrote");
    expect(a!.txns).toEqual([t1, t2]);
    // A write-write edge one way, a write-read edge back.
    expect(kinds([ok(w(1, 10), r(2, 20)), ok(r(1, 10), w(1, 11), w(2, 20))])).toEqual(["G1c"]);
    // Through three transactions.
    expect(kinds([ok(w(1, 10), r(3, 30)), ok(r(1, 10), w(2, 20)), ok(r(2, 20), w(3, 30))])).toEqual(["G1c"]);
    // A transaction whose outcome is unknown has no known reads: it starts edges, never ends one, so it closes no cycle.
    expect(kinds([unknown(w(1, 10), r(2, null)), ok(w(2, 20), r(1, 10))])).toEqual([]);
  });

  test("garbage and internal reads", () => {
    expect(kinds([ok(w(1, 10)), ok(r(1, 99))])).toEqual(["garbage"]);
    expect(kinds([ok(w(1, 10), r(1, null))])).toEqual(["internal"]);
    expect(kinds([ok(w(1, 5)), ok(w(1, 10), r(1, 5))])).toEqual(["internal"]);
    expect(kinds([ok(r(1, 10), w(1, 10))])).toEqual(["internal"]);
  });

  test("a long history with no anomaly is checked quickly", () => {
    const h: Txn[] = [];
    let v = 0;
    const last = new Map<number, number>();
    for (let i = 0; i < 5000; i++) {
      const k = i % 17;
      const seen = last.get(k) ?? null;
      v++;
      h.push(ok(r(k, seen), w(k, v), r((k + 1) % 17, last.get((k + 1) % 17) ?? null)));
      last.set(k, v);
    }
    const started = performance.now();
    expect(kinds(h)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
