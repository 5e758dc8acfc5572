import { stage } from "../../harness/stage/define.ts";
import { kvCluster, presumedLeader } from "../../challenges/distributed/workbench/lin-kv.ts";

export default stage(import.meta, [
  {
    name: "three nodes killed with kill -9 right after their last write_ok, then restarted with their files: every acknowledged write is still there, twice over",
    async run(t) {
      const { net, ids, h, ks } = await kvCluster(t, 3, 3);
      for (let round = 1; round <= 2; round++) {
        await h.random([net.client(2), net.client(3)], ids, ks, Date.now() + 600);
        // One more write to each key, and the kill at once after the last write_ok.
        for (const key of ks) await h.until(net.client(1), ids, key, { f: "write", value: h.fresh() }, 2000, "before the crash");
        await h.crashAndRestart(ids);
        await h.readEverywhere(net.client(4), ids, ks, 3000, `after every node was killed and restarted (crash ${round})`);
      }
      net.check();
      h.check();
    },
  },
  {
    name: "five nodes, the leader and one more killed and restarted while the others serve: the majority keeps serving, and the restarted nodes catch up",
    async run(t) {
      const { net, ids, h, ks } = await kvCluster(t, 5, 2);
      const [k1, k2] = ks as [string, string];
      const killed = await presumedLeader(t, net, ids);
      const rest = ids.filter((n) => !killed.includes(n));
      const background = h.random([net.client(2), net.client(3)], rest, [k2], Date.now() + 1500);
      await h.crashAndRestart(killed);
      await h.until(net.client(4), rest, k1, { f: "write", value: h.fresh() }, 3000, "while two of five nodes restart");
      await background;
      await h.readEverywhere(net.client(4), ids, ks, 3000, "after the restarted nodes rejoined");
      net.check();
      h.check();
    },
  },
]);
