import { stage } from "../../harness/stage/define.ts";
import { Network } from "../../challenges/distributed/workbench/network.ts";
import { checkUnique, GENERATE, generateFrom } from "../../challenges/distributed/workbench/unique-ids.ts";

const UNIQUE = `${GENERATE} Ids must be unique across the whole cluster: two nodes counting from 0 return the same ids, so put something only this node has in each id (its node_id, from init) with a counter of its own.`;
const AVAILABLE = `${GENERATE} The workload is totally available: a node answers even when it cannot reach any other node, so generate ids from what the node knows alone (its node_id and a counter) instead of asking another node.`;

export default stage(import.meta, [
  {
    name: "ids are unique across nodes under concurrent requests",
    async run(t) {
      const net = new Network(t);
      const ids = await net.boot(t.rand.int(3, 5));
      const replies = await generateFrom(t, net, ids, 5, t.rand.int(30, 40), UNIQUE);
      checkUnique(t, replies, UNIQUE);
      net.check();
    },
  },
  {
    name: "every node answers while a partition cuts each node off from all the others",
    async run(t) {
      const net = new Network(t);
      const ids = await net.boot(t.rand.int(3, 4));
      net.partition(ids.map((id) => [id]));
      const replies = await generateFrom(t, net, ids, 3, t.rand.int(8, 12), AVAILABLE);
      checkUnique(t, replies, UNIQUE);
      net.check();
    },
  },
]);
