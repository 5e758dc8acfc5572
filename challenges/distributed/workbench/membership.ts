/**
 * Membership changes (stage 11): nodes join and leave a running Raft cluster by a
 * message from the workbench, in Maelstrom's style. A node the test starts later gets
 * init with node_ids the members at that time (itself not among them: it is not a
 * member yet); then `{"type": "add_node", "node": id}` to any member, answered
 * add_node_ok once the configuration with that node is committed; and
 * `{"type": "remove_node", "node": id}`, answered remove_node_ok likewise.
 */
import type { CaseContext } from "../../../harness/stage/context.ts";
import { StageFailure } from "../../../harness/report/failure.ts";
import { keys, show } from "./message.ts";
import { Network } from "./network.ts";
import { KvHistory } from "./lin-kv.ts";
import { describeOp, type KvCall, type KvOp } from "./linearizability.ts";

export type Change = "add_node" | "remove_node";

export const CHANGE =
  'Answer {"type": "add_node", "node": id} with {"type": "add_node_ok"} and {"type": "remove_node", "node": id} with {"type": "remove_node_ok"}, in_reply_to the request\'s msg_id, once the configuration with that change is committed; a node that is not the leader passes the request to the leader it knows; error 11 (temporarily unavailable) only when the change surely did not happen (no leader known, or another change not yet committed).';

const JOIN =
  'A node the test starts later gets init like any other: remember node_id and node_ids (the members at that time, not including the new node), answer {"type": "init_ok"}, and wait for a leader to contact it.';

/**
 * The network of a cluster whose members change: "cut off from a majority" (which the
 * linearizability report uses to name a likely culprit) counts the members the test
 * has made, not every process it started.
 */
export class MembershipNetwork extends Network {
  members: string[] = [];
  private groups: string[][] | null = null;

  override partition(groups: string[][]): void {
    super.partition(groups);
    this.groups = groups;
  }

  override heal(): void {
    super.heal();
    this.groups = null;
  }

  override cutBetween(a: string, b: string): void {
    super.cutBetween(a, b);
    this.groups = null;
  }

  override cutOff(node: string): boolean {
    if (!this.groups) return false;
    const group = this.groups.find((g) => g.includes(node)) ?? [node];
    return group.filter((n) => this.members.includes(n)).length * 2 <= this.members.length;
  }
}

/**
 * Starts `members + spare` node processes; initialises the first `members` (node_ids:
 * those) and writes a first value to each of `keyCount` keys, each within 3 s. The
 * spare processes wait, uninitialised, until `join`.
 */
export async function membershipCluster(t: CaseContext, members: number, spare: number, keyCount: number): Promise<{ net: MembershipNetwork; ids: string[]; spares: string[]; h: KvHistory; ks: string[] }> {
  const net = new MembershipNetwork(t);
  const all = net.start(members + spare);
  const ids = all.slice(0, members);
  net.members = [...ids];
  await Promise.all(ids.map((id) => init(t, net, id, ids)));
  const h = new KvHistory(t, net);
  const ks = keys(t, keyCount);
  for (const key of ks) await h.until(net.client(1), ids, key, { f: "write", value: h.fresh() }, 3000, "after init (the first leader must be elected by then)");
  return { net, ids, spares: all.slice(members), h, ks };
}

async function init(t: CaseContext, net: Network, id: string, nodeIds: string[]): Promise<void> {
  const reply = await net.rpc(`c${Number(id.slice(1))}`, id, { type: "init", node_id: id, node_ids: nodeIds }, { hint: JOIN, timeoutMs: 8000 });
  if (reply.body.type !== "init_ok") t.fail({ message: `${id} answered init with a body of type ${JSON.stringify(reply.body.type)}.`, expected: "init_ok", received: show(reply), hint: JOIN });
}

/** Initialises a spare node with node_ids the current members (it is not one of them yet). */
export async function join(t: CaseContext, net: MembershipNetwork, id: string): Promise<void> {
  await init(t, net, id, net.members);
  t.log.note(`${id} initialised with node_ids ${JSON.stringify(net.members)}: not a member yet`);
}

export interface ChangeTry {
  via: string;
  outcome: "ok" | "refused" | "unknown";
  /** The reply as the transcript shows it, or "no reply within … ms". */
  text: string;
}

/**
 * One add_node or remove_node through `via`: ok, refused (error 11: did not happen) or
 * unknown (no reply, or error 0); any other answer fails the case.
 */
export async function changeOnce(t: CaseContext, net: Network, client: string, via: string, type: Change, node: string, timeoutMs: number): Promise<ChangeTry> {
  let reply;
  try {
    reply = await net.rpc(client, via, { type, node }, { timeoutMs, hint: CHANGE });
  } catch (e) {
    net.check();
    if (!(e instanceof StageFailure)) throw e;
    return { via, outcome: "unknown", text: `${client} → ${via} ${type} ${node}: no reply within ${timeoutMs} ms` };
  }
  const b = reply.body;
  if (b.type === `${type}_ok`) return { via, outcome: "ok", text: show(reply) };
  if (b.type === "error" && (b.code === 11 || b.code === 0)) return { via, outcome: b.code === 11 ? "refused" : "unknown", text: show(reply) };
  return t.fail({ message: `${via} answered ${type} ${node} with a body of type ${JSON.stringify(b.type)}.`, expected: `${type}_ok (or error 11 if it surely did not happen)`, received: show(reply), hint: CHANGE });
}

/**
 * Sends `type` for `node` through `nodes` in turn (each try bounded by 600 ms, 50 ms
 * between tries) until one answers ok; fails the case if none does within `withinMs`.
 * Then the test's idea of the members follows.
 */
export async function change(t: CaseContext, net: MembershipNetwork, client: string, nodes: string[], type: Change, node: string, withinMs: number, when: string): Promise<void> {
  const started = Date.now();
  const tries: ChangeTry[] = [];
  for (let i = 0; ; i++) {
    const r = await changeOnce(t, net, client, nodes[i % nodes.length]!, type, node, 600);
    if (r.outcome === "ok") break;
    tries.push(r);
    if (Date.now() - started >= withinMs) {
      t.fail({
        message: `No node of ${nodes.join(", ")} completed ${type} ${node} within ${withinMs / 1000} s ${when}: the members can reach each other, so a leader can commit the new configuration.`,
        expected: `${type}_ok through one of ${nodes.join(", ")}`,
        received: tries
          .slice(-6)
          .map((r) => r.text)
          .join("\n"),
        hint: `${CHANGE} The new configuration is an entry in the log that every node uses as soon as it has it; it is committed once a majority of the new configuration stores it (the leader replicates to the members of the new configuration, a node just added included, which first needs every earlier entry or a snapshot).`,
      });
    }
    await Bun.sleep(50);
  }
  net.members = type === "add_node" ? [...net.members, node] : net.members.filter((n) => n !== node);
  t.log.note(`${type} ${node} acknowledged after ${((Date.now() - started) / 1000).toFixed(2)} s: members ${net.members.join(" ")}`);
}

/** Kills a node (kill -9) for good: it is not restarted. */
export async function killForGood(t: CaseContext, net: Network, id: string): Promise<void> {
  await net.nodes.get(id)!.kill();
  t.log.note(`kill -9 ${id} (not restarted)`);
}

export const AVAILABLE =
  "A majority of the current configuration that can talk must elect a leader and serve requests: a member that hears no heartbeat for an election timeout stands for the next term, asking the members of its configuration (the last one in its log) for votes, and wins with a majority of them.";

/** The tries soon() left running when it returned, per history. */
const outstanding = new WeakMap<KvHistory, Promise<KvOp>[]>();

/** Waits for every try soon() left running (each bounded by 600 ms), so that the history holds them before it is checked. */
export async function settled(h: KvHistory): Promise<void> {
  await Promise.all(outstanding.get(h) ?? []);
}

/**
 * `call` on `key` through `nodes` in turn, a new try every 100 ms without waiting for
 * the earlier ones (each bounded by 600 ms; a write's tries each write a fresh value),
 * until one gets a definite answer, which it returns at once (the others go on: call
 * settled() before checking the history); fails the case if none does within
 * `withinMs`. Right after a partition, a try through a node still following the
 * cut-off leader gets no answer: the next try does not wait for it.
 */
export async function soon(t: CaseContext, h: KvHistory, client: string, nodes: string[], key: string, call: KvCall, withinMs: number, when: string, hint = AVAILABLE): Promise<KvOp> {
  const started = Date.now();
  const tries: Promise<KvOp>[] = [];
  let answered: KvOp | undefined;
  for (let i = 0; !answered && Date.now() - started < withinMs; i++) {
    const op = h.op(client, nodes[i % nodes.length]!, key, call.f === "write" && i > 0 ? { f: "write", value: h.fresh() } : call);
    tries.push(op);
    void op.then((o) => {
      if (o.outcome.kind !== "unknown" && o.outcome.kind !== "failed") answered ??= o;
    });
    await Promise.race([op, Bun.sleep(100)]);
  }
  if (answered) {
    outstanding.set(h, [...(outstanding.get(h) ?? []), ...tries]);
    return answered;
  }
  const all = await Promise.all(tries);
  const first = all.find((o) => o.outcome.kind !== "unknown" && o.outcome.kind !== "failed");
  if (first) return first;
  return t.fail({
    message: `No node of ${nodes.join(", ")} completed ${client}'s ${call.f} of key ${JSON.stringify(key)} within ${withinMs / 1000} s ${when}: the cluster is unavailable although a majority of the members can reach each other.`,
    expected: `a ${call.f}_ok (or error 20/22) through one of ${nodes.join(", ")}`,
    received: all
      .slice(-6)
      .map((o) => describeOp(o, h.t0))
      .join("\n"),
    hint,
  });
}
