import { stage } from "../../harness/stage/define.ts";
import { kvCluster, presumedLeader } from "../../challenges/distributed/workbench/lin-kv.ts";

export default stage(import.meta, [
  {
    name: "three nodes, healthy network: random read, write and cas from several clients through every node are linearizable; concurrent cas from one value: at most one succeeds",
    async run(t) {
      const { net, ids, h, ks } = await kvCluster(t, 3, 3);
      // A key never written does not exist: read and cas both answer error 20.
      const never = `${ks[0]}-never`;
      await h.until(net.client(1), ids, never, { f: "read" }, 2000, "on a healthy network");
      await h.until(net.client(1), ids, never, { f: "cas", from: h.fresh(), to: h.fresh() }, 2000, "on a healthy network");
      // Three rounds: one value written, then four clients at once cas from it to values of their own, through every node.
      for (let round = 0; round < 3; round++) {
        const key = ks[round]!;
        const from = h.fresh();
        await h.until(net.client(1), ids, key, { f: "write", value: from }, 2000, "on a healthy network");
        await Promise.all([1, 2, 3, 4].map((k) => h.until(net.client(k + 1), [ids[k % ids.length]!], key, { f: "cas", from, to: h.fresh() }, 2000, "on a healthy network")));
      }
      await h.random([1, 2, 3].map((k) => net.client(k)), ids, ks, Date.now() + 1200);
      await h.readEverywhere(net.client(6), ids, ks, 2000, "on a healthy network");
      net.check();
      h.check();
    },
  },
  {
    name: "five nodes, the leader cut off with one other node, then healed: the majority serves, the minority neither acknowledges writes nor answers stale reads, and all serve again after the heal",
    async run(t) {
      const { net, ids, h, ks } = await kvCluster(t, 5, 3);
      const [k1, k2, k3] = ks as [string, string, string];
      const minority = await presumedLeader(t, net, ids);
      const leader = minority[0];
      const majority = ids.filter((n) => !minority.includes(n));
      net.partition([minority, majority]);
      const background = h.random([net.client(4), net.client(5)], ids, [k3], Date.now() + 1500);
      // A write through the old leader: it cannot commit without the majority.
      await h.op(net.client(1), leader, k2, { f: "write", value: h.fresh() });
      // The majority elects a leader and serves.
      await h.until(net.client(2), majority, k1, { f: "write", value: h.fresh() }, 3000, "after the partition (the three nodes of the majority reach each other)");
      // The write through the old leader was not committed: the majority does not return it (unless it shows up later).
      await h.until(net.client(2), majority, k2, { f: "read" }, 2000, "during the partition");
      // A read through a node of the minority may not return the value before the majority's write.
      for (const node of minority) await h.op(net.client(3), node, k1, { f: "read" });
      await background;
      net.heal();
      await h.readEverywhere(net.client(6), ids, ks, 3000, "after the partition healed");
      await h.until(net.client(6), ids, k1, { f: "write", value: h.fresh() }, 3000, "after the partition healed");
      net.check();
      h.check();
    },
  },
  {
    name: "three nodes, a follower cut off while the other two commit writes, then reachable through one node only: it must not lead with its shorter log",
    async run(t) {
      const { net, ids, h, ks } = await kvCluster(t, 3, 2);
      const [leader, behind] = await presumedLeader(t, net, ids);
      const bridge = ids.find((n) => n !== leader && n !== behind)!;
      net.partition([[leader, bridge], [behind]]);
      for (const key of ks) await h.until(net.client(1), [leader, bridge], key, { f: "write", value: h.fresh() }, 3000, "with two of three nodes reaching each other");
      // The cut-off node times out again and again: its term climbs past the others'.
      await Bun.sleep(700);
      // It now reaches only the node that still hears the leader's heartbeats: its next RequestVote is the first thing that node hears of a newer term.
      // (The leader of the two: the one that kept sending to the cut-off node, its heartbeats.)
      const current = net.mostTo(behind, 300, [leader, bridge]) ?? leader;
      const follower = current === leader ? bridge : leader;
      net.cutBetween(current, behind);
      // Reads through that node for 1 s: if the node left behind won, they are served from its shorter log (while it leads).
      const until = Date.now() + 1000;
      for (let i = 0; Date.now() < until; i++) {
        await h.op(net.client(3), follower, ks[i % ks.length]!, { f: "read" });
        await Bun.sleep(30);
      }
      await h.readEverywhere(net.client(2), [follower], ks, 3000, `with ${current} and ${behind} cut off from each other`);
      net.heal();
      await h.readEverywhere(net.client(2), ids, ks, 3000, "after the network healed");
      net.check();
      h.check(
        `In this case ${behind}, cut off while the others committed writes, came back with a higher term and a shorter log, reachable through ${follower} only: if it was elected, it overwrote committed entries. Refuse a vote to a candidate whose last log entry has an older term than yours, or the same term and a lower index (§5.4.1).`,
      );
    },
  },
]);
