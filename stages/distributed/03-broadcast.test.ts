import { stage } from "../../harness/stage/define.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { Network } from "../../challenges/distributed/workbench/network.ts";
import { awaitEverywhere, BROADCAST, broadcast, lineTopology, read, sendTopology } from "../../challenges/distributed/workbench/broadcast.ts";

const ALL = `${BROADCAST} read lists every value the node was given, not only the last one.`;
const GOSSIP = `${BROADCAST} A value a client gives one node must reach every node: send it on to your neighbours in the topology, and pass on what a neighbour sends you that you had not seen (the topology is a line here, so most nodes are not neighbours of the node that got the value).`;
const RETRY = `${BROADCAST} Messages between nodes are lost while a partition separates them: keep sending a value to a neighbour until it answers broadcast_ok, so it arrives once the network heals.`;

/** `count` distinct integers, drawn from the seed. */
function values(t: CaseContext, count: number): number[] {
  const out = new Set<number>();
  while (out.size < count) out.add(t.rand.int(0, 99_999));
  return [...out];
}

export default stage(import.meta, [
  {
    name: "one node: topology_ok, broadcast_ok, and read lists every value broadcast so far",
    async run(t) {
      const net = new Network(t);
      const [node] = await net.boot(1);
      await sendTopology(t, net, { [node!]: [] });
      const given: number[] = [];
      await Promise.all(
        [1, 2, 3].map(async (k) => {
          const client = net.client(k + 2);
          for (const v of values(t, 5)) {
            await broadcast(t, net, client, node!, v);
            given.push(v);
            const has = new Set(await read(t, net, client, node!));
            const lacks = given.filter((g) => !has.has(g));
            if (lacks.length > 0) t.fail({ message: `${node}'s read_ok misses values it acknowledged with broadcast_ok.`, expected: `all of ${given.join(", ")}`, received: `missing ${lacks.join(", ")}`, hint: ALL });
          }
        }),
      );
      net.check();
    },
  },
  {
    name: "several nodes in a line: every value given to any node is read from every node within 3 s",
    async run(t) {
      const net = new Network(t);
      const ids = await net.boot(t.rand.int(3, 5));
      await sendTopology(t, net, lineTopology(t.rand.shuffle(ids)));
      const vs = values(t, ids.length * 3);
      // Every node is given values, so some value always starts at an end of the line.
      await Promise.all(vs.map((v, j) => broadcast(t, net, net.client(3 + (j % 2)), ids[j % ids.length]!, v)));
      await awaitEverywhere(t, net, ids, vs, 3000, GOSSIP);
      net.check();
    },
  },
  {
    name: "a partition that heals: values given on both sides are read from every node within 5 s of healing",
    async run(t) {
      const net = new Network(t);
      const ids = await net.boot(t.rand.int(3, 4));
      const order = t.rand.shuffle(ids);
      await sendTopology(t, net, lineTopology(order));
      const cut = t.rand.int(1, order.length - 1);
      net.partition([order.slice(0, cut), order.slice(cut)]);
      const vs = values(t, ids.length * 2);
      for (const [i, v] of vs.entries()) await broadcast(t, net, net.client(3), ids[i % ids.length]!, v);
      await Bun.sleep(300);
      net.heal();
      await awaitEverywhere(t, net, ids, vs, 5000, RETRY);
      net.check();
    },
  },
]);
