import { stage } from "../../harness/stage/define.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { Network } from "../../challenges/distributed/workbench/network.ts";
import { KafkaHistory } from "../../challenges/distributed/workbench/kafka.ts";
import { keys } from "../../challenges/distributed/workbench/message.ts";

/** Distinct message values, drawn from the seed. */
function messages(t: CaseContext): () => number {
  const used = new Set<number>();
  return () => {
    let m = t.rand.int(0, 999_999);
    while (used.has(m)) m = t.rand.int(0, 999_999);
    used.add(m);
    return m;
  };
}

/**
 * `clients` clients at once each send `perClient` messages, one after another, to the
 * keys and nodes in turn (client k starting at key k and node k).
 */
async function sendFrom(t: CaseContext, net: Network, log: KafkaHistory, nodes: string[], ks: string[], clients: number, perClient: number, msg: () => number): Promise<void> {
  await Promise.all(
    Array.from({ length: clients }, async (_, k) => {
      for (let i = 0; i < perClient; i++) await log.send(net.client(k + 1), nodes[(k + i) % nodes.length]!, ks[(k + i) % ks.length]!, msg());
    }),
  );
  t.log.note(`${clients * perClient} sends acknowledged: ${ks.map((k) => `${k} offsets ${log.offsets(k).join(",")}`).join("; ")}`);
}

/** Commits an offset from the middle of `key`'s log, then (another client) a lower one; the list must still show the higher. */
async function commitTwice(t: CaseContext, net: Network, log: KafkaHistory, key: string, via: [string, string], listVia: string[]): Promise<void> {
  const os = log.offsets(key);
  const high = os[Math.floor(os.length / 2) + 1]!;
  const low = os[t.rand.int(0, Math.floor(os.length / 2))]!;
  await log.commit(net.client(1), via[0], { [key]: high });
  await log.commit(net.client(2), via[1], { [key]: low });
  for (const node of listVia) await log.listCommitted(net.client(3), node, [key]);
}

export default stage(import.meta, [
  {
    name: "one node: send_ok offsets grow per key, polls return every message in offset order from the offset asked, committed offsets never go back",
    async run(t) {
      const net = new Network(t);
      const [node] = await net.boot(1);
      const log = new KafkaHistory(t, net);
      const ks = keys(t, 3);
      await sendFrom(t, net, log, [node!], ks, 2, t.rand.int(9, 12), messages(t));
      for (const key of ks) await log.readLog(net.client(3), node!, key, 0, 3000);
      // A poll from the middle of a key's log starts there; one from its last offset returns that one message.
      const os = log.offsets(ks[0]!);
      await log.readLog(net.client(3), node!, ks[0]!, os[t.rand.int(1, os.length - 2)]!, 3000);
      await log.readLog(net.client(3), node!, ks[0]!, os[os.length - 1]!, 3000);
      await commitTwice(t, net, log, ks[1]!, [node!, node!], [node!]);
      net.check();
    },
  },
  {
    name: "three nodes: offsets unique and growing across nodes, every message polled through every node, commits seen through every node",
    async run(t) {
      const net = new Network(t);
      const ids = await net.boot(3);
      const log = new KafkaHistory(t, net);
      const ks = keys(t, 2);
      const msg = messages(t);
      // One client: three sends through one node, then one through each other node.
      const order = t.rand.shuffle(ids);
      for (const node of [order[0]!, order[0]!, order[0]!, order[1]!, order[2]!]) await log.send(net.client(1), node, ks[0]!, msg());
      await sendFrom(t, net, log, ids, ks, 3, t.rand.int(5, 7), msg);
      for (const node of ids) for (const key of ks) await log.readLog(net.client(4), node, key, 0, 3000);
      await commitTwice(t, net, log, ks[1]!, [order[0]!, order[1]!], order);
      net.check();
    },
  },
]);
