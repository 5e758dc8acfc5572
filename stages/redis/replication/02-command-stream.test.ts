import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { RespConnection } from "../../../challenges/redis/clients/redis.ts";
import { fullResync, handshake, readCommand, replicaOfTest, show, streamCommand, waitForOutput } from "./support.ts";

const NO_REPLY = "A replica applies the commands its master streams to it without replying to them (the master does not read replies); the only exception is REPLCONF GETACK *, answered with REPLCONF ACK <offset>.";
const OFFSET =
  "The offset starts at the one in +FULLRESYNC <replid> <offset> and grows by the exact number of bytes of every command received from the master after the RDB (PING and REPLCONF GETACK included), counted when each command has been processed — so the ACK answering a GETACK counts everything before that GETACK, not the GETACK itself.";

/** Waits for REPLCONF ACK <want>; periodic ACKs with smaller offsets are skipped. */
async function expectAck(t: CaseContext, link: RespConnection, want: number): Promise<void> {
  const seen: string[] = [];
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    const words = await readCommand(link, `REPLCONF ACK ${want}`, NO_REPLY);
    seen.push(show(words));
    const isAck = words.length === 3 && words[0]!.toUpperCase() === "REPLCONF" && words[1]!.toUpperCase() === "ACK";
    if (!isAck) t.fail({ message: "Your replica sent the master something other than REPLCONF ACK.", expected: `REPLCONF ACK ${want}`, received: seen.join("\n"), hint: NO_REPLY });
    if (words[2] === String(want)) return;
    if (Number(words[2]) > want) break;
  }
  t.fail({ message: "Your replica's REPLCONF ACK carried the wrong offset.", expected: `REPLCONF ACK ${want}`, received: seen.join("\n"), hint: OFFSET });
}

export default stage(import.meta, [
  {
    name: "writes streamed by the master are applied and not answered",
    async run(t) {
      const { replica, link } = await replicaOfTest(t);
      await handshake(t, link, replica.port);
      const offset = t.rand.int(0, 100000);
      await fullResync(link, Buffer.from(t.rand.bytes(20)).toString("hex"), offset);
      const [a, b, gone] = [t.rand.key("a"), t.rand.key("b"), t.rand.key("gone")];
      const [va, vb] = [t.rand.word(), t.rand.word()];
      await link.send(Buffer.concat([streamCommand("SELECT", "0"), streamCommand("SET", a, va), streamCommand("SET", gone, "x"), streamCommand("SET", b, vb), streamCommand("DEL", gone)]));
      const cli = redisCli(t, replica);
      await waitForOutput(t, cli, ["GET", b], `"${vb}"`, 3000, "A SET streamed by the master did not show on your replica", "After the RDB, everything the master sends is a stream of RESP commands: parse and execute each one, even several in one packet.");
      await cli.steps([
        [["GET", a], `"${va}"`],
        [["GET", gone], "(nil)", "DEL from the master deletes on the replica too."],
      ]);
      // Had the replica answered the commands, those replies would arrive before the ACK.
      const sent = Buffer.concat([streamCommand("SELECT", "0"), streamCommand("SET", a, va), streamCommand("SET", gone, "x"), streamCommand("SET", b, vb), streamCommand("DEL", gone)]).length;
      const getack = streamCommand("REPLCONF", "GETACK", "*");
      await link.send(getack);
      await expectAck(t, link, offset + sent);
      // One command split across two reads (a pause between the pieces, cut inside the value).
      const [c, vc] = [t.rand.key("split"), `${t.rand.word()}-${t.rand.word()}`];
      const split = streamCommand("SET", c, vc);
      await link.send([split.subarray(0, split.length - 5), split.subarray(split.length - 5)], 150);
      await waitForOutput(t, cli, ["GET", c], `"${vc}"`, 3000, "A SET the master sent in two pieces (split inside its value, 150 ms apart) did not show on your replica", "A command from the master may be split across reads: keep the bytes of an incomplete command and go on when the rest arrives, as on a client connection.");
      await link.send(getack);
      await expectAck(t, link, offset + sent + getack.length + split.length);
    },
  },
  {
    name: "REPLCONF ACK reports the offset: the FULLRESYNC offset plus every byte processed before the GETACK",
    async run(t) {
      const { replica, link } = await replicaOfTest(t);
      await handshake(t, link, replica.port);
      const offset = t.rand.int(0, 100000);
      await fullResync(link, Buffer.from(t.rand.bytes(20)).toString("hex"), offset);
      const getack = streamCommand("REPLCONF", "GETACK", "*");
      await link.send(getack);
      await expectAck(t, link, offset);
      const k = t.rand.key();
      const batch = Buffer.concat([streamCommand("PING"), streamCommand("SET", k, t.rand.word()), streamCommand("INCR", t.rand.key("n"))]);
      await link.send(batch);
      await link.send(getack);
      await expectAck(t, link, offset + getack.length + batch.length);
      await link.send(getack);
      await expectAck(t, link, offset + 2 * getack.length + batch.length);
    },
  },
]);
