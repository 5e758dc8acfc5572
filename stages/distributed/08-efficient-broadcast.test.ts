import { stage } from "../../harness/stage/define.ts";
import { Network } from "../../challenges/distributed/workbench/network.ts";
import { BROADCAST, sendTopology } from "../../challenges/distributed/workbench/broadcast.ts";
import { gridTopology, medianAndMax, runLoad } from "../../challenges/distributed/workbench/efficiency.ts";

/** Gossip Glomers 3e's message target and 3d's latency targets, which one program must meet on this one workload. */
const MSGS_PER_OP = 20;
const MEDIAN_MS = 400;
const MAX_MS = 600;

const LOST = `${BROADCAST} Every value must reach every node, however few messages you send: a node that gets values from another node passes on those its own neighbours may not have (the node a value starts at is not the neighbour of every node).`;
const FEWER = `Too many messages between nodes: sending each value to each neighbour in a message of its own, or to every neighbour of a grid where most already have it, costs tens of messages per operation. Choose a topology of your own with few hops (a tree: one or two hops from any node to any other) and send each neighbour the values it lacks together, a batch every few tens of milliseconds.`;
const FASTER = `Values take too long to reach every node: with 100 ms per message, each hop and each wait for the next batch adds up. Keep the path short (a tree of your own rather than the grid's up to 8 hops) and send batches often (every 50 ms or so), not once a second.`;

export default stage(import.meta, [
  {
    name: "25 nodes, 100 ms per message, 100 operations a second: under 20 messages per operation, stable latency median under 400 ms and max under 600 ms",
    async run(t) {
      const net = new Network(t, [100, 100]);
      const ids = await net.boot(25);
      await sendTopology(t, net, gridTopology(ids));
      const tooMany = (received: string): never => t.fail({ message: "Too many messages between nodes per client operation.", expected: `fewer than ${MSGS_PER_OP} messages per operation`, received, hint: FEWER });
      const r = await runLoad(t, net, ids, { rate: 100, durationMs: 5000, clients: 5 }, 5000, LOST, { perOp: MSGS_PER_OP, fail: tooMany });
      const perOp = r.messages / r.ops;
      const { median, max } = medianAndMax([...r.latencies.values()]);
      const slowest = [...r.latencies].sort((a, b) => b[1] - a[1])[0];
      const summary = `${r.messages} messages between nodes for ${r.ops} operations (${r.values.length} broadcasts): ${perOp.toFixed(1)} per operation; stable latency median ${median} ms, max ${max} ms (value ${slowest?.[0]})`;
      t.log.note(summary);
      if (perOp >= MSGS_PER_OP) tooMany(summary);
      if (median >= MEDIAN_MS || max >= MAX_MS)
        t.fail({ message: "Values take too long to be read from every node.", expected: `stable latency median under ${MEDIAN_MS} ms and max under ${MAX_MS} ms`, received: summary, hint: FASTER });
      net.check();
    },
  },
]);
