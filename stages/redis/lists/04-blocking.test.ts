import { redisCli, RespConnection } from "../../../challenges/redis/clients/redis.ts";
import { StageFailure } from "../../../harness/report/failure.ts";
import { stage } from "../../../harness/stage/define.ts";
import { distinctWords, expectSilence, respArray, shown, WRONGTYPE } from "./shared.ts";

const AT_ONCE = "When one of the lists already has an element, BLPOP/BRPOP do not block: they pop like LPOP/RPOP, from the first key (in the order given) whose list is not empty, and reply with a two-element array [key, element].";
const BLOCKS = "When every list is empty, BLPOP must not reply: park the client (stop reading its commands) until an element arrives or the timeout passes.";
const WAKE = "A push onto a key a client is blocked on must serve that client at once: pop the element for it and send it [key, element]. The pushing client still gets the list's length after its push.";
const TIMEOUT = "The timeout is in seconds and may be fractional (0.3 is 300 ms; 0 blocks forever). When it passes, reply with the null array \"*-1\\r\\n\" (redis-cli shows (nil)).";

/**
 * Reads the timeout reply and checks when it arrived: not before `minMs`
 * after `sentAt`, and well before the case's time limit. The arrival time is
 * taken when the bytes came in, so a test slowed down by a busy machine
 * cannot mistake a punctual reply for an early one.
 */
async function expectTimeout(conn: RespConnection, sentAt: number, minMs: number, what: string): Promise<void> {
  await conn.expectReply("*-1\r\n", { message: `${what}: expected the null array once its timeout passed.`, hint: TIMEOUT });
  const took = conn.tcp.lastDataAt - sentAt;
  if (took < minMs) {
    throw new StageFailure({ message: `${conn.tcp.name}: ${what} replied before its timeout.`, expected: `the null array after about ${minMs} ms or more`, received: `it after ${took} ms`, hint: `${BLOCKS} ${TIMEOUT}` });
  }
  if (took > minMs + 2500) {
    throw new StageFailure({ message: `${what}: the timeout reply came ${took} ms after the command.`, expected: `about ${minMs} ms`, received: `${took} ms`, hint: TIMEOUT });
  }
}

export default stage(import.meta, [
  {
    name: "BLPOP and BRPOP reply at once when a list has elements, trying keys in order",
    async run(t) {
      const redis = await t.start();
      const [a, b, s] = [t.rand.key("a"), t.rand.key("b"), t.rand.key("str")];
      const [x, y, z, w] = distinctWords(t.rand, 4);
      await redisCli(t, redis).steps([
        [["RPUSH", b, x!, y!, z!], "(integer) 3"],
        [["BLPOP", a, b, "0"], shown([b, x!]), AT_ONCE],
        [["BRPOP", a, b, "0"], shown([b, z!]), AT_ONCE],
        [["RPUSH", a, w!], "(integer) 1"],
        [["BLPOP", b, a, "0"], shown([b, y!]), AT_ONCE],
        [["EXISTS", b], "(integer) 0", "BLPOP removes the element; the key goes away with its last element."],
        [["BRPOP", b, a, "1"], shown([a, w!]), AT_ONCE],
        [["SET", s, "v"], "OK"],
        [["BLPOP", s, "0"], WRONGTYPE, "BLPOP on a key holding a string is a WRONGTYPE error (it does not block)."],
        [["BLPOP", a, "-1"], "(error) ERR timeout is negative", "A negative timeout is an error: \"-ERR timeout is negative\"."],
        [["BLPOP", a, "soon"], "(error) ERR timeout is not a float or out of range", "A timeout that is not a number is an error: \"-ERR timeout is not a float or out of range\"."],
      ]);
    },
  },
  {
    name: "BLPOP and BRPOP on empty lists time out with a null array after a fractional timeout",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis, "client 1");
      let sent = Date.now();
      await conn.command("BLPOP", t.rand.key("empty"), t.rand.key("empty"), "0.3");
      await expectTimeout(conn, sent, 200, "BLPOP with a timeout of 0.3 (seconds)");
      sent = Date.now();
      await conn.command("BRPOP", t.rand.key("empty"), "0.2");
      await expectTimeout(conn, sent, 120, "BRPOP with a timeout of 0.2 (seconds)");
      await conn.command("PING");
      await conn.expectReply("+PONG\r\n", { message: "After a timed-out BLPOP the connection must serve commands again." });
      await redisCli(t, redis).expect(["BLPOP", t.rand.key("empty"), "0.1"], "(nil)", { hint: TIMEOUT });
    },
  },
  {
    name: "a push from another client wakes a blocked BLPOP or BRPOP",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const [k, j] = [t.rand.key("jobs"), t.rand.key("tasks")];
      const [v, a, b, c] = distinctWords(t.rand, 4);
      const conn = await RespConnection.open(t, redis, "client 1");
      await conn.command("BLPOP", k, "0");
      await expectSilence(conn, 150, "BLPOP on an empty list should block", BLOCKS);
      await cli.expect(["RPUSH", k, v!], "(integer) 1", { hint: WAKE });
      await conn.expectReply(respArray([k, v!]), { message: "client 1 is blocked in BLPOP; another client pushed an element onto its key.", hint: WAKE });
      await cli.expect(["EXISTS", k], "(integer) 0", { hint: "The element was popped for the blocked client: the list is empty again, so the key is gone." });
      await conn.command("BRPOP", j, "5");
      await expectSilence(conn, 150, "BRPOP on an empty list should block", BLOCKS);
      await cli.expect(["LPUSH", j, a!, b!, c!], "(integer) 3", { hint: WAKE });
      await conn.expectReply(respArray([j, a!]), { message: `client 1 is blocked in BRPOP; another client ran LPUSH ${j} ${a} ${b} ${c} (the tail is ${a}).`, hint: "BRPOP pops from the tail (the right end)." });
      await cli.expect(["LRANGE", j, "0", "-1"], shown([c!, b!]), { hint: "Only one element goes to the blocked client; the rest stay in the list." });
    },
  },
  {
    name: "commands sent after a blocking command wait for it, and a served client gets no late timeout",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("queue");
      const v = t.rand.word();
      const conn = await RespConnection.open(t, redis, "client 1");
      // One write: BLPOP with a short timeout, then PING.
      await conn.send(`*3\r\n$5\r\nBLPOP\r\n$${k.length}\r\n${k}\r\n$3\r\n0.8\r\n*1\r\n$4\r\nPING\r\n`);
      await expectSilence(conn, 150, "BLPOP was followed by PING in the same write; while BLPOP blocks, PING must wait", "A blocked client's later commands are not run (nor answered) until the blocking command has replied: replies stay in order.");
      await redisCli(t, redis).expect(["RPUSH", k, v], "(integer) 1", { hint: WAKE });
      await conn.expectReply(respArray([k, v]), { message: "client 1 is blocked in BLPOP; another client pushed an element.", hint: WAKE });
      await conn.expectReply("+PONG\r\n", { message: "After BLPOP was served, the PING sent behind it must run.", hint: "When a blocked client is served, go on with the commands it sent meanwhile." });
      await expectSilence(conn, 750, "client 1's BLPOP was served before its 0.8 s timeout; nothing more is due", "Once a blocked client is served, cancel its timeout: it must not get a second (null) reply later.");
      await conn.command("PING");
      await conn.expectReply("+PONG\r\n");
    },
  },
  {
    name: "BLMOVE waits for an element to move, or times out",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const [src, dst] = [t.rand.key("src"), t.rand.key("dst")];
      const [a, b, c] = distinctWords(t.rand, 3);
      await cli.steps([
        [["RPUSH", src, c!], "(integer) 1"],
        [["BLMOVE", src, dst, "LEFT", "RIGHT", "0"], JSON.stringify(c), "When the source has an element, BLMOVE works like LMOVE at once and replies with the element."],
        [["LRANGE", dst, "0", "-1"], shown([c!])],
      ]);
      const conn = await RespConnection.open(t, redis, "client 1");
      await conn.command("BLMOVE", src, dst, "RIGHT", "LEFT", "0");
      await expectSilence(conn, 150, "BLMOVE on an empty source should block", BLOCKS);
      await cli.expect(["RPUSH", src, a!, b!], "(integer) 2", { hint: WAKE });
      await conn.expectReply(`$${b!.length}\r\n${b}\r\n`, { message: `client 1 is blocked in BLMOVE ${src} ${dst} RIGHT LEFT; another client pushed ${a} ${b}.`, hint: "BLMOVE replies with the moved element as a bulk string, taken from the source's first-named end (RIGHT: the tail)." });
      await cli.steps([
        [["LRANGE", dst, "0", "-1"], shown([b!, c!]), "The element goes onto the destination's second-named end (LEFT: the head)."],
        [["LRANGE", src, "0", "-1"], shown([a!])],
      ]);
      const sent = Date.now();
      await conn.command("BLMOVE", t.rand.key("empty"), dst, "LEFT", "LEFT", "0.2");
      await expectTimeout(conn, sent, 150, "BLMOVE with a timeout of 0.2 (seconds)");
      await cli.expect(["LRANGE", dst, "0", "-1"], shown([b!, c!]), { hint: "A blocking command that timed out must not change any data." });
    },
  },
]);
