import { stage } from "../../harness/stage/define.ts";
import { Network } from "../../challenges/distributed/workbench/network.ts";
import { KvHistory } from "../../challenges/distributed/workbench/lin-kv.ts";
import { keys } from "../../challenges/distributed/workbench/message.ts";

export default stage(import.meta, [
  {
    name: "three nodes killed with kill -9 right after their last write_ok, then restarted with their files: every acknowledged write is still there, twice over",
    async run(t) {
      const net = new Network(t);
      const ids = await net.boot(3);
      const h = new KvHistory(t, net);
      const ks = keys(t, 3);
      for (const key of ks) await h.until(net.client(1), ids, key, { f: "write", value: h.fresh() }, 3000, "after init (the first leader must be elected by then)");
      for (let round = 1; round <= 2; round++) {
        await h.random([net.client(2), net.client(3)], ids, ks, Date.now() + 600);
        // One more write to each key, and the kill at once after the last write_ok.
        for (const key of ks) await h.until(net.client(1), ids, key, { f: "write", value: h.fresh() }, 2000, "before the crash");
        await h.crashAndRestart(ids);
        for (const node of ids) for (const key of ks) await h.until(net.client(4), [node], key, { f: "read" }, 3000, `after every node was killed and restarted (crash ${round})`);
      }
      net.check();
      h.check();
    },
  },
  {
    name: "five nodes, the leader and one more killed and restarted while the others serve: the majority keeps serving, and the restarted nodes catch up",
    async run(t) {
      const net = new Network(t);
      const ids = await net.boot(5);
      const h = new KvHistory(t, net);
      const [k1, k2] = keys(t, 2) as [string, string];
      for (const key of [k1, k2]) await h.until(net.client(1), ids, key, { f: "write", value: h.fresh() }, 3000, "after init (the first leader must be elected by then)");
      await Bun.sleep(300);
      const leader = net.busiest(300) ?? t.rand.pick(ids);
      const other = t.rand.pick(ids.filter((n) => n !== leader));
      t.log.note(`${leader} sent to the most nodes in the last 300 ms: taken as the leader`);
      const background = h.random([net.client(2), net.client(3)], ids.filter((n) => n !== leader && n !== other), [k2], Date.now() + 1500);
      await h.crashAndRestart([leader, other]);
      await h.until(net.client(4), ids.filter((n) => n !== leader && n !== other), k1, { f: "write", value: h.fresh() }, 3000, "while two of five nodes restart");
      await background;
      for (const node of ids) for (const key of [k1, k2]) await h.until(net.client(4), [node], key, { f: "read" }, 3000, "after the restarted nodes rejoined");
      net.check();
      h.check();
    },
  },
]);
