import { redisCli, RespConnection } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";
import { distinctWords, expectSilence, respArray } from "./shared.ts";

const BLOCKS = "When every list is empty, BLPOP must not reply: park the client until an element arrives or the timeout passes.";
const FIFO = "Clients blocked on the same key are served in the order they blocked: the first client to block gets the first element pushed (a FIFO queue of waiters per key, not a stack).";
const ONE = "One element serves exactly one blocked client: pop it for the longest-waiting client, and leave the others blocked until another element arrives (or their timeout passes). Never give the same element to several clients.";
const SEVERAL = "A push of several elements serves blocked clients one after the other, in the order they blocked, while the list still has elements.";

/** Opens `n` connections and blocks each in turn with `command(i)`, checking that each stays blocked. */
async function blockClients(t: CaseContext, redis: Program, commands: string[][]): Promise<RespConnection[]> {
  const conns: RespConnection[] = [];
  for (const [i, argv] of commands.entries()) {
    const conn = await RespConnection.open(t, redis, `client ${i + 1}`);
    await conn.command(...argv);
    await expectSilence(conn, 100, `${argv.join(" ")} on an empty list should block`, BLOCKS);
    conns.push(conn);
  }
  return conns;
}

export default stage(import.meta, [
  {
    name: "blocked clients are served in the order they blocked",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const k = t.rand.key("queue");
      const v = distinctWords(t.rand, 3);
      const [c1, c2, c3] = await blockClients(t, redis, [["BLPOP", k, "0"], ["BRPOP", k, "0"], ["BLPOP", k, "0"]]);
      for (const [i, conn] of [c1!, c2!, c3!].entries()) {
        await cli.expect(["RPUSH", k, v[i]!], "(integer) 1", { hint: ONE });
        await conn.expectReply(respArray([k, v[i]!]), { message: `clients 1, 2 and 3 blocked on ${k} in that order; push number ${i + 1} (${v[i]}) must go to client ${i + 1}.`, hint: FIFO });
      }
    },
  },
  {
    name: "one pushed element wakes exactly one of two blocked clients",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const k = t.rand.key("jobs");
      const [v1, v2] = distinctWords(t.rand, 2);
      const [c1, c2] = await blockClients(t, redis, [["BLPOP", k, "0"], ["BLPOP", k, "0"]]);
      await cli.expect(["RPUSH", k, v1!], "(integer) 1", { hint: ONE });
      await c1!.expectReply(respArray([k, v1!]), { message: "clients 1 and 2 are blocked on the key; one element was pushed.", hint: FIFO });
      await expectSilence(c2!, 200, `only one element (${v1}) was pushed and client 1 got it; client 2 must stay blocked`, ONE);
      await cli.expect(["LLEN", k], "(integer) 0", { hint: ONE });
      await cli.expect(["RPUSH", k, v2!], "(integer) 1", { hint: ONE });
      await c2!.expectReply(respArray([k, v2!]), { message: "client 2 is still blocked; a second element was pushed.", hint: ONE });
    },
  },
  {
    name: "one push of several elements serves several blocked clients, and the rest time out",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const k = t.rand.key("work");
      const [a, b] = distinctWords(t.rand, 2);
      const [c1, c2, c3] = await blockClients(t, redis, [["BLPOP", k, "0"], ["BRPOP", k, "0"], ["BLPOP", k, "0.5"]]);
      await cli.expect(["RPUSH", k, a!, b!], "(integer) 2", { hint: SEVERAL });
      await c1!.expectReply(respArray([k, a!]), { message: `clients 1 (BLPOP), 2 (BRPOP) and 3 (BLPOP, timeout 0.5) are blocked; RPUSH ${k} ${a} ${b}: client 1 gets the head.`, hint: SEVERAL });
      await c2!.expectReply(respArray([k, b!]), { message: `after client 1 took ${a}, client 2's BRPOP gets ${b}.`, hint: SEVERAL });
      await c3!.expectReply("*-1\r\n", { message: "client 3 (third in line, timeout 0.5 s) gets nothing from two elements, so it must time out with a null array.", hint: `${ONE} A blocked client whose timeout passes replies \"*-1\\r\\n\".` });
      await cli.expect(["EXISTS", k], "(integer) 0", { hint: ONE });
    },
  },
  {
    name: "a client blocked on several keys is served once, by the first push to any of them",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const [a, b] = [t.rand.key("a"), t.rand.key("b")];
      const [v1, v2, x] = distinctWords(t.rand, 3);
      const [c1, c2] = await blockClients(t, redis, [["BLPOP", a, b, "0"], ["BLPOP", b, "0"]]);
      await cli.expect(["RPUSH", b, v1!], "(integer) 1");
      await c1!.expectReply(respArray([b, v1!]), { message: `client 1 blocked on ${a} and ${b} before client 2 blocked on ${b}; an element was pushed onto ${b}.`, hint: `A client blocked on several keys is woken by a push onto any of them, and replies with the key it popped from. ${FIFO}` });
      await expectSilence(c2!, 150, "client 1 took the only element", ONE);
      await cli.expect(["RPUSH", a, x!], "(integer) 1");
      await cli.expect(["LLEN", a], "(integer) 1", { hint: "Client 1 was already served: once a blocked client is served, forget its wait on every key it named, so later pushes onto its other keys stay in the list." });
      await cli.expect(["RPUSH", b, v2!], "(integer) 1");
      await c2!.expectReply(respArray([b, v2!]), { message: `client 2 is still blocked on ${b}; a second element was pushed onto it.`, hint: ONE });
    },
  },
  {
    name: "an element moved by a served BLMOVE wakes a client blocked on its destination",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const [src, dst] = [t.rand.key("inbox"), t.rand.key("work")];
      const v = t.rand.word();
      const [c1, c2] = await blockClients(t, redis, [["BLPOP", dst, "0"], ["BLMOVE", src, dst, "LEFT", "RIGHT", "0"]]);
      await cli.expect(["RPUSH", src, v], "(integer) 1");
      await c2!.expectReply(`$${v.length}\r\n${v}\r\n`, { message: `client 2 is blocked in BLMOVE ${src} ${dst} LEFT RIGHT; an element was pushed onto ${src}.`, hint: "BLMOVE is served like BLPOP, and replies with the moved element." });
      await c1!.expectReply(respArray([dst, v]), { message: `client 1 is blocked in BLPOP ${dst}; client 2's BLMOVE just moved ${v} onto ${dst}.`, hint: "Serving a blocked client can push onto another key (BLMOVE): keep serving until no key with blocked clients has received elements." });
      await cli.expect(["EXISTS", src, dst], "(integer) 0");
    },
  },
  {
    name: "a blocked client that disconnected is not served",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const k = t.rand.key("jobs");
      const v = t.rand.word();
      const [c1, c2] = await blockClients(t, redis, [["BLPOP", k, "0"], ["BLPOP", k, "0"]]);
      c1!.close();
      await Bun.sleep(100);
      await cli.expect(["RPUSH", k, v], "(integer) 1");
      await c2!.expectReply(respArray([k, v]), { message: "client 1 disconnected while blocked; client 2, still blocked, must get the element.", hint: "When a blocked client disconnects, remove it from the waiters: an element popped for a closed connection is lost." });
      await cli.expect(["EXISTS", k], "(integer) 0");
    },
  },
]);
