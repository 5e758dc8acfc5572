import { join } from "node:path";
import { stage } from "../../harness/stage/define.ts";
import { kvCluster, presumedLeader } from "../../challenges/distributed/workbench/lin-kv.ts";
import { settled, soon } from "../../challenges/distributed/workbench/membership.ts";
import { filesChanged, filesUnder } from "../../challenges/distributed/workbench/disk.ts";
import { describeOp, type KvOp } from "../../challenges/distributed/workbench/linearizability.ts";

const READS = 30;
const ATTEMPTS = 3;
const NO_LOG_WRITE =
  "A read must not go through the log (ReadIndex, Ongaro's dissertation §6.4): the leader notes its commit index, confirms it is still the leader with one round of heartbeats answered by a majority, waits until it has applied up to that index, and answers from its map; a follower asks the leader for that index. Nothing is appended, so nothing is written: Raft's persistent state (term, vote, log, snapshot) does not change when only reads are served.";
const CONFIRM =
  "A leader cut off from the majority does not know it has been replaced: before answering a read, it must hear from a majority that it is still the leader, in a round of heartbeats sent after the read arrived (ReadIndex, dissertation §6.4, step 3); a lease (§6.4.1) works only if it ends before any other node can be elected, measured on the leader's own clock with a margin for drift.";
const OWN_TERM =
  "A new leader knows every committed entry but not which of them are committed: until an entry of its own term is committed, its commit index may be behind a write already acknowledged. Append a no-op entry when elected, and serve reads only once it is committed (ReadIndex, dissertation §6.4, step 1).";

export default stage(import.meta, [
  {
    name: `three nodes, ${READS} reads through every node and no write: each must be answered, and no node writes anything to its directory`,
    async run(t) {
      const { net, ids, h, ks } = await kvCluster(t, 3, 3);
      for (let attempt = 1; ; attempt++) {
        // The last write's entries reach every follower's disk first.
        await Bun.sleep(150);
        const before = ids.map((id) => filesUnder(join(t.dir, id)));
        const reads = await Promise.all(
          [0, 1, 2].map(async (c) => {
            const done: KvOp[] = [];
            for (let i = c; i < READS; i += 3) done.push(await h.op(net.client(c + 1), ids[i % ids.length]!, ks[i % ks.length]!, { f: "read" }));
            return done;
          }),
        );
        const changed = ids.map((id, i) => ({ id, files: filesChanged(before[i]!, filesUnder(join(t.dir, id))) })).filter((c) => c.files.length > 0);
        const unanswered = reads.flat().filter((o) => o.outcome.kind !== "ok");
        if (changed.length === 0 && unanswered.length === 0) {
          t.log.note(`${READS} reads answered, no file changed in any node's directory (attempt ${attempt})`);
          break;
        }
        // An election (a new term is saved) or a slow machine can spoil an attempt; a log written by every read spoils them all.
        if (attempt < ATTEMPTS) {
          t.log.note(`attempt ${attempt}: ${changed.map((c) => `${c.id} wrote ${c.files.join(", ")}`).join("; ") || "no file changed"}; ${unanswered.length} reads not answered read_ok: once more`);
          continue;
        }
        if (changed.length > 0) {
          t.fail({
            message: `While the cluster served only reads (${READS} of them, on a healthy network, no write), ${changed.map((c) => c.id).join(" and ")} wrote to ${changed.length === 1 ? "its directory" : "their directories"}, in each of ${ATTEMPTS} attempts.`,
            expected: "every file in every node's directory the same, byte for byte, before and after the reads",
            received: changed.map((c) => `${join(t.dir, c.id)}: ${c.files.join(", ")}`).join("\n"),
            hint: NO_LOG_WRITE,
          });
        }
        t.fail({
          message: `Of ${READS} reads on a healthy network, ${unanswered.length} got no read_ok, in each of ${ATTEMPTS} attempts.`,
          expected: "a read_ok (with the key's value) for every read",
          received: unanswered
            .slice(0, 6)
            .map((o) => describeOp(o, h.t0))
            .join("\n"),
          hint: `Every read must be answered while the cluster is healthy. ${NO_LOG_WRITE}`,
        });
      }
      net.check();
      h.check();
    },
  },
  {
    name: "three nodes, twice: the leader cut off alone the moment its write_ok arrives; the first read the other two answer must show that write, and once they have a write of their own, the old leader may not answer a read with the value before it",
    async run(t) {
      const { net, ids, h, ks } = await kvCluster(t, 3, 2);
      const [k1, k2] = ks as [string, string];
      for (const round of [1, 2]) {
        // Right after the first writes, the 400 ms just gone by may already show the leader; after a heal they show the cut-off one too.
        const [leader] = await presumedLeader(t, net, ids, { past: round === 1 });
        const others = ids.filter((n) => n !== leader);
        const when = `with ${leader} cut off alone (round ${round})`;
        // A write through the leader itself, and the partition made as soon as its write_ok is in: the others hold the entry, and may not yet know it is committed.
        const written = await h.until(net.client(1), [leader], k1, { f: "write", value: h.fresh() }, 3000, "on a healthy network");
        net.partition([[leader], others]);
        // At once, through the other two: reads of that key (the first answered must show the write), and a write of the other key.
        const reading = soon(t, h, net.client(2), others, k1, { f: "read" }, 3000, when);
        const replaced = await soon(t, h, net.client(3), others, k2, { f: "write", value: h.fresh() }, 3000, when);
        // As soon as the majority's write is acknowledged: reads of that key through the old leader.
        const newer = replaced.call.f === "write" ? replaced.call.value : undefined;
        const throughOld = Promise.all([0, 1, 2].map((i) => Bun.sleep(i * 30).then(() => h.op(net.client(4), leader, k2, { f: "read" }, 250))));
        const first = await reading;
        const value = written.call.f === "write" ? written.call.value : undefined;
        if (first.outcome.kind !== "ok" || JSON.stringify(first.outcome.value) !== JSON.stringify(value)) {
          t.fail({
            message: `The first read the majority answered after ${leader} was cut off did not return the value ${leader} had just acknowledged: ${describeOp(first, h.t0)}.`,
            expected: `read_ok with value ${JSON.stringify(value)} (acknowledged at ${Math.round(written.end - h.t0)} ms, and no other write of the key since)`,
            received: [describeOp(written, h.t0), describeOp(first, h.t0)].join("\n"),
            hint: OWN_TERM,
          });
        }
        const stale = (await throughOld).filter(
          (o) => o.outcome.kind === "ok" && JSON.stringify(o.outcome.value) !== JSON.stringify(newer),
        );
        if (stale.length > 0) {
          t.fail({
            message: `${leader}, cut off alone, answered a read with a value the majority had already replaced: ${describeOp(stale[0]!, h.t0)}.`,
            expected: `no answer, or error 11, or read_ok with value ${JSON.stringify(newer)}`,
            received: [describeOp(replaced, h.t0), ...stale.map((o) => describeOp(o, h.t0))].join("\n"),
            hint: CONFIRM,
          });
        }
        net.heal();
        await h.until(net.client(1), ids, k2, { f: "write", value: h.fresh() }, 3000, `after the network healed (round ${round})`);
      }
      await h.readEverywhere(net.client(5), ids, ks, 3000, "after the network healed");
      await settled(h);
      net.check();
      h.check();
    },
  },
]);
