import { stage } from "../../harness/stage/define.ts";
import { Network } from "../../challenges/distributed/workbench/network.ts";
import { addFrom, awaitFinalReads } from "../../challenges/distributed/workbench/counter.ts";

const PARTITION = "Messages between nodes are lost while a partition separates them (requests to seq-kv are not): a node that tells the others its count must keep sending until they acknowledge, or keep the count in seq-kv. ";

export default stage(import.meta, [
  {
    name: "several nodes, adds from several clients at once: every node's final read is the sum within 3 s, also on a node that was given no add",
    async run(t) {
      const net = new Network(t);
      const ids = await net.boot(4);
      const readOnly = t.rand.pick(ids);
      t.log.note(`${readOnly} is given no add, only reads`);
      const added = await addFrom(t, net, ids.filter((id) => id !== readOnly), 3, t.rand.int(8, 12));
      await awaitFinalReads(t, net, ids, added, 3000, "the last add_ok");
      net.check();
    },
  },
  {
    name: "adds while a partition cuts every node off from the others: every node's final read is the sum within 3 s of healing",
    async run(t) {
      const net = new Network(t);
      const ids = await net.boot(t.rand.int(3, 4));
      net.partition(ids.map((id) => [id]));
      const added = await addFrom(t, net, ids, 2, t.rand.int(6, 9));
      await Bun.sleep(300);
      net.heal();
      await awaitFinalReads(t, net, ids, added, 3000, "the partition healed", PARTITION);
      net.check();
    },
  },
]);
