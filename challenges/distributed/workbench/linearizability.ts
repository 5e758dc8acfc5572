/**
 * A linearizability checker for a set of independent registers (Maelstrom's lin-kv:
 * read, write, cas per key), in the Wing–Gong / Lowe "just-in-time linearization"
 * style with memoisation of (operations linearized, register value), as Knossos and
 * Porcupine do. Keys are independent (a register each), so each key's history is
 * checked on its own.
 *
 * Outcomes: `ok` (read_ok with its value, write_ok, cas_ok), `missing` (error 20: the
 * key did not exist), `mismatch` (error 22: the value was not `from`), `failed` (a
 * definite error that did nothing, such as 11: dropped), and `unknown` (a time-out,
 * error 0 or 13: it may have happened at any time after it was sent, or never).
 */

export type KvCall = { f: "read" } | { f: "write"; value: unknown } | { f: "cas"; from: unknown; to: unknown };
export type Outcome = { kind: "ok"; value?: unknown } | { kind: "missing" } | { kind: "mismatch" } | { kind: "failed" } | { kind: "unknown" };

export interface KvOp {
  client: string;
  node: string;
  key: string;
  call: KvCall;
  outcome: Outcome;
  /** When it was sent and when its reply came (ms; `end` is ignored for an unknown outcome). */
  start: number;
  end: number;
  /** Its node was cut off from a majority by a partition when it was sent. */
  cutOff?: boolean;
}

/** The register's value as JSON text, or undefined while the key does not exist. */
type Value = string | undefined;
const text = (v: unknown): string => JSON.stringify(v);

/** The register's value after `op` from `state`, or null if `op` cannot happen there with the outcome it had. */
function step(state: Value, op: KvOp): Value | null {
  const { call, outcome } = op;
  switch (call.f) {
    case "read":
      if (outcome.kind === "missing") return state === undefined ? state : null;
      return state !== undefined && state === text((outcome as { value?: unknown }).value) ? state : null;
    case "write":
      return text(call.value);
    case "cas":
      if (outcome.kind === "ok") return state === text(call.from) ? text(call.to) : null;
      if (outcome.kind === "missing") return state === undefined ? state : null;
      if (outcome.kind === "mismatch") return state !== undefined && state !== text(call.from) ? state : null;
      // unknown: it took effect if the value was `from`; if not, it did nothing (and it may also
      // never have happened, which the search covers by linearizing it last).
      return state === text(call.from) ? text(call.to) : state;
  }
}

/** The operations that take part: definite failures did nothing and reads that got no answer observed nothing. */
function relevant(op: KvOp): boolean {
  if (op.outcome.kind === "failed") return false;
  return !(op.outcome.kind === "unknown" && op.call.f === "read");
}

interface Entry {
  op: number;
  call: boolean;
  at: number;
  match?: Entry;
  prev?: Entry;
  next?: Entry;
}

export type Verdict = "linearizable" | "not linearizable" | "timed out";

/**
 * Whether one key's operations have a linearization, searching until `deadline`
 * (Date.now() value). Operations with an unknown outcome never return.
 */
export function checkRegister(ops: readonly KvOp[], deadline: number): Verdict {
  const list = ops.filter(relevant);
  const events: Entry[] = [];
  list.forEach((op, i) => {
    const call: Entry = { op: i, call: true, at: op.start };
    const ret: Entry = { op: i, call: false, at: op.outcome.kind === "unknown" ? Infinity : op.end, match: undefined };
    call.match = ret;
    events.push(call, ret);
  });
  // By time; at the same instant a call comes before a return (the two may overlap).
  events.sort((a, b) => a.at - b.at || (a.call === b.call ? 0 : a.call ? -1 : 1));
  const head: Entry = { op: -1, call: false, at: -Infinity };
  let last = head;
  for (const e of events) {
    e.prev = last;
    last.next = e;
    last = e;
  }
  const lift = (e: Entry) => {
    e.prev!.next = e.next;
    if (e.next) e.next.prev = e.prev;
    const m = e.match!;
    m.prev!.next = m.next;
    if (m.next) m.next.prev = m.prev;
  };
  const unlift = (e: Entry) => {
    const m = e.match!;
    m.prev!.next = m;
    if (m.next) m.next.prev = m;
    e.prev!.next = e;
    if (e.next) e.next.prev = e;
  };
  const done = new Uint8Array(list.length);
  const seen = new Set<string>();
  const stack: { entry: Entry; state: Value }[] = [];
  let state: Value = undefined;
  let entry = head.next;
  let steps = 0;
  while (head.next) {
    if (++steps % 2048 === 0 && Date.now() > deadline) return "timed out";
    if (!entry) return "not linearizable";
    if (entry.call) {
      const next = step(state, list[entry.op]!);
      if (next !== null) {
        done[entry.op] = 1;
        const memo = `${next ?? "\u0000"}|${done.join("")}`;
        if (!seen.has(memo)) {
          seen.add(memo);
          stack.push({ entry, state });
          state = next;
          lift(entry);
          entry = head.next;
          continue;
        }
        done[entry.op] = 0;
      }
      entry = entry.next;
    } else {
      const top = stack.pop();
      if (!top) return "not linearizable";
      state = top.state;
      done[top.entry.op] = 0;
      unlift(top.entry);
      entry = top.entry.next;
    }
  }
  return "linearizable";
}

/** The operations of `ops` as they stood at time `cut`: those sent by then, the ones still waiting with an unknown outcome. */
function prefix(ops: readonly KvOp[], cut: number): KvOp[] {
  return ops.filter((o) => o.start <= cut).map((o) => (o.outcome.kind !== "unknown" && o.end > cut ? { ...o, outcome: { kind: "unknown" } as Outcome } : o));
}

/** Values an operation needs some other operation to have written (a read's value, a successful cas's `from`). */
function observed(op: KvOp): string | undefined {
  if (op.call.f === "read" && op.outcome.kind === "ok") return text(op.outcome.value);
  if (op.call.f === "cas" && op.outcome.kind === "ok") return text(op.call.from);
  return undefined;
}

function written(op: KvOp): string | undefined {
  return op.call.f === "write" ? text(op.call.value) : op.call.f === "cas" ? text(op.call.to) : undefined;
}

export interface KeyFinding {
  key: string;
  verdict: Verdict;
  /** Not linearizable: the operation whose reply first made the history impossible. */
  culprit?: KvOp;
  /** Not linearizable: a few operations of the key, up to the culprit, that already cannot be ordered. */
  core?: KvOp[];
}

/**
 * Checks each key's history; for a key that is not linearizable, finds the first reply
 * after which no order fits (the shortest failing prefix) and shrinks that prefix to a
 * few operations that still cannot be ordered, keeping the write of every value an
 * operation kept observed (so the report is about the same anomaly).
 */
export function checkKv(ops: readonly KvOp[], budgetMs = 5000): KeyFinding[] {
  const deadline = Date.now() + budgetMs;
  const byKey = new Map<string, KvOp[]>();
  for (const op of ops) byKey.set(op.key, [...(byKey.get(op.key) ?? []), op]);
  const findings: KeyFinding[] = [];
  for (const [key, list] of byKey) {
    const verdict = checkRegister(list, deadline);
    if (verdict !== "not linearizable") {
      findings.push({ key, verdict });
      continue;
    }
    // The first reply after which the prefix fails (failing is kept by every longer prefix).
    const cuts = list.filter((o) => relevant(o) && o.outcome.kind !== "unknown").map((o) => o.end).sort((a, b) => a - b);
    let lo = 0;
    let hi = cuts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (checkRegister(prefix(list, cuts[mid]!), deadline) === "not linearizable") hi = mid;
      else lo = mid + 1;
    }
    const cut = cuts[lo]!;
    const culprit = list.find((o) => relevant(o) && o.outcome.kind !== "unknown" && o.end === cut)!;
    let core = prefix(list, cut).filter(relevant);
    for (let i = core.length - 1; i >= 0 && Date.now() < deadline; i--) {
      const op = core[i]!;
      if (op === culprit) continue;
      const rest = core.filter((_, j) => j !== i);
      const w = written(op);
      if (w !== undefined && rest.some((o) => observed(o) === w) && !rest.some((o) => written(o) === w)) continue;
      if (checkRegister(rest, deadline) === "not linearizable") core = rest;
    }
    findings.push({ key, verdict, culprit, core: core.sort((a, b) => a.start - b.start) });
  }
  return findings;
}

/** One operation as a line of a report: who, through which node, what, when (ms from `t0`), and how it ended. */
export function describeOp(op: KvOp, t0: number): string {
  // Long values (stage 10 writes 1 KiB ones) are shown by their start and length.
  const shown = (v: unknown): string => {
    const s = JSON.stringify(v);
    return s.length > 40 ? `${s.slice(0, 24)}…(${s.length} characters)` : s;
  };
  const what = op.call.f === "read" ? "read" : op.call.f === "write" ? `write ${shown(op.call.value)}` : `cas ${shown(op.call.from)} → ${shown(op.call.to)}`;
  const o = op.outcome;
  const result =
    o.kind === "ok" ? (op.call.f === "read" ? `read_ok ${shown(o.value)}` : `${op.call.f}_ok`) : o.kind === "missing" ? "error 20 (key does not exist)" : o.kind === "mismatch" ? "error 22 (precondition failed)" : o.kind === "failed" ? "failed (definite error)" : "no reply (may or may not have happened)";
  const end = o.kind === "unknown" ? "…" : `${Math.round(op.end - t0)}`;
  return `${op.client} via ${op.node}${op.cutOff ? " (cut off from the majority)" : ""}: ${what} [${Math.round(op.start - t0)}–${end} ms] → ${result}`;
}
