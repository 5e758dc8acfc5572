import { stage } from "../../harness/stage/define.ts";
import { Network } from "../../challenges/distributed/workbench/network.ts";
import { BROADCAST, sendTopology } from "../../challenges/distributed/workbench/broadcast.ts";
import { gridTopology, medianAndMax, percentile, runLoad } from "../../challenges/distributed/workbench/efficiency.ts";

/** Gossip Glomers 3e's message target and 3d's latency targets, which one program must meet on this one workload. */
const MSGS_PER_OP = 20;
const MEDIAN_MS = 400;
const MAX_MS = 600;
/** Processes a value passes through on the way to a read, each slowed by the machine's load: allowed that many times the median read time. */
const LOAD_HOPS = 4;

const LOST = `${BROADCAST} Every value must reach every node, however few messages you send: a node that gets values from another node passes on those its own neighbours may not have (the node a value starts at is not the neighbour of every node).`;
const FEWER = `Too many messages between nodes: sending each value to each neighbour in a message of its own, or to every neighbour of a grid where most already have it, costs tens of messages per operation. Choose a topology of your own with few hops (a tree: one or two hops from any node to any other) and send each neighbour the values it lacks together, a batch every few tens of milliseconds.`;
const FASTER = `Values take too long to reach every node: with 100 ms per message, each hop and each wait for the next batch adds up. Keep the path short (a tree of your own rather than the grid's up to 8 hops) and send batches often (every 50 ms or so), not every second.`;

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
      // A value crosses up to LOAD_HOPS processes; on a loaded machine each adds what a read takes
      // to be answered: the median read time for the median latency, the 90th percentile for the max.
      const [readMedian, read90] = [percentile(r.readMs, 50), percentile(r.readMs, 90)];
      const [medianAllowed, maxAllowed] = [MEDIAN_MS + LOAD_HOPS * readMedian, MAX_MS + LOAD_HOPS * read90];
      const summary = `${r.messages} messages between nodes for ${r.ops} operations (${r.values.length} broadcasts): ${perOp.toFixed(1)} per operation; stable latency median ${median} ms, max ${max} ms (value ${slowest?.[0]}); reads answered in ${readMedian} ms (median), ${read90} ms (90th percentile)`;
      t.log.note(summary);
      if (perOp >= MSGS_PER_OP) tooMany(summary);
      if (median >= medianAllowed || max >= maxAllowed)
        t.fail({ message: "Values take too long to be read from every node.", expected: `stable latency median under ${MEDIAN_MS} ms and max under ${MAX_MS} ms, plus ${LOAD_HOPS} times the reads' median and 90th-percentile times for the machine's load: under ${medianAllowed} ms and ${maxAllowed} ms`, received: summary, hint: FASTER });
      net.check();
    },
  },
]);
