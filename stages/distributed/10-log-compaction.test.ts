import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { stage } from "../../harness/stage/define.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { kvCluster, presumedLeader, type KvHistory } from "../../challenges/distributed/workbench/lin-kv.ts";

/** The bound on a node's directory: the snapshot of three 1 KiB values and a short log after it fit many times over; 100 entries do not. */
const DIR_LIMIT = 64 * 1024;
const WRITES = 150;
/** Clients writing at once (each one request at a time). */
const CLIENTS = 8;
const COMPACT =
  "Compact the log (§7 of the Raft paper): once many entries are applied, save the key-value map as of the last applied entry (with that entry's index and term) as a snapshot, and drop the entries it covers, from memory and from the file; what a node keeps on disk then grows with the data, not with the history.";
const INSTALL =
  "A follower that needs entries the leader has compacted away gets the leader's snapshot instead (InstallSnapshot, §7): it replaces its state with the snapshot, keeps the entries after it if its log agrees with the snapshot's last index and term, and continues from there.";

/** The bytes of every file under `dir`. */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    try {
      const st = statSync(path);
      total += st.isDirectory() ? bytesUnder(path) : st.size;
    } catch {
      // renamed away between the listing and the stat
    }
  }
  return total;
}

/** A value no write used before, of about 1 KiB: its number first, so a read names the write it saw. */
const big = (h: KvHistory) => `${h.fresh()}:${"abcdefghijklmnop".repeat(64)}`;

/**
 * `count` writes of 1 KiB values to `ks` through `nodes`, CLIENTS clients at once, in
 * batches of 50; after each batch, `between` runs (the directory check).
 */
async function writeMany(t: CaseContext, h: KvHistory, client: (k: number) => string, nodes: string[], ks: string[], count: number, when: string, between?: (done: number) => void): Promise<void> {
  for (let done = 0; done < count; done += 50) {
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        for (let i = c; i < 50; i += CLIENTS) await h.until(client(c + 1), nodes, ks[(done + i) % ks.length]!, { f: "write", value: big(h) }, 3000, when);
      }),
    );
    between?.(done + 50);
  }
  t.log.note(`${count} writes of 1 KiB values acknowledged`);
}

export default stage(import.meta, [
  {
    name: `three nodes, ${WRITES} writes of 1 KiB values: each node's directory stays under 64 KiB, and after every node is killed and restarted the values are still there, also that of a key written only before them`,
    async run(t) {
      // The first key is written once (by kvCluster), before the many writes to the others: after them, only a snapshot holds its value.
      const { net, ids, h, ks } = await kvCluster(t, 3, 4);
      let largest = { bytes: 0, node: "", after: 0 };
      await writeMany(t, h, (k) => net.client(k), ids, ks.slice(1), WRITES, "on a healthy network", (done) => {
        for (const id of ids) {
          const bytes = bytesUnder(join(t.dir, id));
          if (bytes > largest.bytes) largest = { bytes, node: id, after: done };
        }
        if (largest.bytes > DIR_LIMIT) {
          t.fail({
            message: `${largest.node}'s directory holds ${(largest.bytes / 1024).toFixed(1)} KiB after ${largest.after} writes of 1 KiB values to ${ks.length} keys.`,
            expected: `under ${DIR_LIMIT / 1024} KiB at every check (the current values take 3 KiB)`,
            received: `${(largest.bytes / 1024).toFixed(1)} KiB in ${join(t.dir, largest.node)}`,
            hint: COMPACT,
          });
        }
      });
      t.log.note(`the largest node directory seen: ${(largest.bytes / 1024).toFixed(1)} KiB (${largest.node}, after ${largest.after} writes)`);
      await h.crashAndRestart(ids);
      await h.readEverywhere(net.client(5), ids, ks, 3000, "after every node was killed and restarted", true);
      net.check();
      h.check("In this case every node was killed right after many writes: a snapshot must be on disk (with its last index and term) before the entries it replaces are dropped from the file, and read back when the node starts.");
    },
  },
  {
    name: "three nodes, a follower cut off while the others commit 100 writes and compact their logs; then the leader cut off: the two left must serve, so the one that was behind must catch up from a snapshot; then it leads, from the snapshot's state",
    async run(t) {
      const { net, ids, h, ks } = await kvCluster(t, 3, 4);
      const [leader, behind] = await presumedLeader(t, net, ids, { past: true });
      const third = ids.find((n) => n !== leader && n !== behind)!;
      net.partition([[leader, third], [behind]]);
      // The first key written once more, first: only the snapshot will hold this value, and the node left behind has the one before.
      await h.until(net.client(5), [leader, third], ks[0]!, { f: "write", value: h.fresh() }, 3000, `with ${behind} cut off (two of three nodes reach each other)`);
      await writeMany(t, h, (k) => net.client(k), [leader, third], ks.slice(1), 100, `with ${behind} cut off (two of three nodes reach each other)`);
      net.heal();
      await Bun.sleep(200);
      net.partition([[behind, third], [leader]]);
      await h.until(
        net.client(5),
        [third, behind],
        ks[1]!,
        { f: "write", value: big(h) },
        3000,
        `with ${third} and ${behind} the majority, ${behind} having missed 100 writes that ${third} has compacted away (${INSTALL})`,
      );
      await h.readEverywhere(net.client(5), [behind, third], ks, 3000, `with ${third} and ${behind} the majority`, true);
      // Now the one that was behind and the old leader, which missed that write: the former must lead, from the state the snapshot gave it.
      net.partition([[behind, leader], [third]]);
      await h.until(net.client(6), [behind, leader], ks[2]!, { f: "write", value: big(h) }, 3000, `with ${behind} and ${leader} the majority`);
      await h.readEverywhere(net.client(6), [behind, leader], ks, 3000, `with ${behind} and ${leader} the majority`, true);
      net.heal();
      net.check();
      h.check(`In this case ${behind} caught up from a snapshot, then led: InstallSnapshot replaces the follower's key-value map with the snapshot's, not only its indexes.`);
    },
  },
]);
