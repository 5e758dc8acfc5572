import { RespConnection } from "../../challenges/redis/clients/redis.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const CONCURRENT = "Serve every connection at the same time (an event loop, or a thread/task per client): a new client must not wait for an earlier one to disconnect.";
const OWN_CONNECTION = "Write each reply on the connection its command came from: keep the socket with that connection's state, not in one variable shared by all clients.";

/** Fails if any connection received bytes nobody asked it for (a reply meant for another client). */
async function expectNothingMore(t: CaseContext, clients: RespConnection[]): Promise<void> {
  await Bun.sleep(100);
  for (const c of clients) {
    const extra = c.tcp.pending;
    if (extra.length > 0) {
      t.fail({ message: `${c.tcp.name} received a reply it did not ask for (every command it sent was already answered).`, expected: "nothing more", received: JSON.stringify(extra.toString("latin1")), hint: OWN_CONNECTION });
    }
  }
}

export default stage(import.meta, [
  {
    name: "a second client is served while the first stays connected",
    async run(t) {
      const redis = await t.start();
      const first = await RespConnection.open(t, redis, "client 1");
      await first.command("PING");
      await first.expectReply("+PONG\r\n");
      const second = await RespConnection.open(t, redis, "client 2");
      await second.command("PING");
      await second.expectReply("+PONG\r\n", { message: "client 2 sent PING while client 1 was still connected.", hint: CONCURRENT });
      await first.command("PING");
      await first.expectReply("+PONG\r\n", { message: "client 1 sent PING again after client 2 was served.", hint: `${CONCURRENT} ${OWN_CONNECTION}` });
      await expectNothingMore(t, [first, second]);
    },
  },
  {
    name: "interleaved commands from several clients are all answered",
    async run(t) {
      const redis = await t.start();
      const n = t.rand.int(3, 5);
      const clients: RespConnection[] = [];
      for (let i = 0; i < n; i++) clients.push(await RespConnection.open(t, redis, `client ${i + 1}`));
      const order = t.rand.shuffle([...clients, ...clients, ...clients]);
      for (const c of order) {
        await c.command("PING");
        await c.expectReply("+PONG\r\n", { message: `${c.tcp.name} sent PING (clients take turns in random order).`, hint: `${CONCURRENT} ${OWN_CONNECTION}` });
      }
      await expectNothingMore(t, clients);
    },
  },
  {
    name: "fifty clients connected at once are all answered",
    async run(t) {
      const redis = await t.start();
      const clients: RespConnection[] = [];
      for (let i = 0; i < 50; i++) clients.push(await RespConnection.open(t, redis, `client ${i + 1}`));
      for (const c of t.rand.shuffle(clients)) await c.command("PING");
      for (const c of clients) {
        await c.expectReply("+PONG\r\n", { message: `${c.tcp.name} of 50 (all connected at once) sent PING.`, hint: `${CONCURRENT} Do not cap the number of clients: Redis accepts 10,000 by default.` });
      }
    },
  },
]);
