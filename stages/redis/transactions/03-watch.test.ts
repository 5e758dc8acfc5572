import { RespConnection, redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { expectSession } from "./shared.ts";

const ABORTED = "*-1\r\n";
const WATCH_FAIL =
  'WATCH remembers keys; any change to one of them afterwards (a write or deletion by ANY client, this one included, expiry, FLUSHALL) marks this connection, and its next EXEC runs nothing and replies the null array "*-1\\r\\n" (redis-cli shows "(nil)").';
const WATCH_CLEARED = "EXEC (whether it ran or not), DISCARD and UNWATCH forget every watched key: a change after that must not fail a later transaction.";

/** client 1 (raw) runs MULTI, SET key value, EXEC and checks EXEC's reply. */
async function transaction(conn: RespConnection, key: string, value: string, execReply: string, message: string, hint: string): Promise<void> {
  await conn.command("MULTI");
  await conn.expectReply("+OK\r\n", { message: "client 1 sent MULTI." });
  await conn.command("SET", key, value);
  await conn.expectReply("+QUEUED\r\n", { message: `client 1 sent SET ${key} ${value} inside MULTI.` });
  await conn.command("EXEC");
  await conn.expectReply(execReply, { message, hint });
}

async function watch(conn: RespConnection, ...keys: string[]): Promise<void> {
  await conn.command("WATCH", ...keys);
  await conn.expectReply("+OK\r\n", { message: `client 1 sent WATCH ${keys.join(" ")}.`, hint: "WATCH replies +OK." });
}

function ours(t: CaseContext): string {
  return `mine-${t.rand.word()}`;
}

export default stage(import.meta, [
  {
    name: "EXEC fails with a nil reply when another client changed a watched key",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key("balance");
      const theirs = `theirs-${t.rand.word()}`;
      await cli.expect(["SET", key, t.rand.word()], "OK");
      const conn = await RespConnection.open(t, redis, "client 1");
      await watch(conn, key);
      await cli.expect(["SET", key, theirs], "OK");
      await transaction(conn, key, ours(t), ABORTED, "client 1 sent EXEC after another client SET the key it watches.", WATCH_FAIL);
      await cli.expect(["GET", key], `"${theirs}"`, { message: "The other client's value must still be there: the failed transaction ran nothing.", hint: WATCH_FAIL });
    },
  },
  {
    name: "EXEC runs when no watched key changed, even if other keys did",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const [key, other, third] = [t.rand.key("balance"), t.rand.key("other"), t.rand.key("third")];
      const conn = await RespConnection.open(t, redis, "client 1");
      await watch(conn, key, third);
      await cli.expect(["SET", other, t.rand.word()], "OK");
      await cli.expect(["GET", key], "(nil)");
      const mine = ours(t);
      await transaction(conn, key, mine, "*1\r\n+OK\r\n", "client 1 sent EXEC; only an unwatched key was written, and a watched one only read.", "Only a change to a WATCHed key fails EXEC; writes to other keys, and reads, do not.");
      await cli.expect(["GET", key], `"${mine}"`);
    },
  },
  {
    name: "the watching client's own write, a deletion, expiry, FLUSHALL and FLUSHDB all fail EXEC",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const conn = await RespConnection.open(t, redis, "client 1");
      const key = t.rand.key("balance");

      // Its own write between WATCH and MULTI.
      await watch(conn, key);
      await conn.command("SET", key, t.rand.word());
      await conn.expectReply("+OK\r\n");
      await transaction(conn, key, ours(t), ABORTED, "client 1 WATCHed a key, SET it itself, then ran MULTI/SET/EXEC.", WATCH_FAIL);

      // Deleted by another client.
      await watch(conn, key);
      await cli.expect(["DEL", key], "(integer) 1");
      await transaction(conn, key, ours(t), ABORTED, "client 1 sent EXEC after another client DELeted the key it watches.", WATCH_FAIL);

      // Expired.
      await cli.expect(["SET", key, t.rand.word(), "PX", "100"], "OK");
      await watch(conn, key);
      await Bun.sleep(250);
      await transaction(conn, key, ours(t), ABORTED, "client 1 sent EXEC after the key it watches expired (SET … PX 100, then 250 ms).", `${WATCH_FAIL} Check expiry of the watched keys when EXEC runs: a key whose TTL passed since WATCH counts as changed even if nothing looked it up yet.`);

      // FLUSHALL.
      await cli.expect(["SET", key, t.rand.word()], "OK");
      await watch(conn, key);
      await cli.expect(["FLUSHALL"], "OK");
      await transaction(conn, key, ours(t), ABORTED, "client 1 sent EXEC after another client ran FLUSHALL, which deleted the key it watches.", WATCH_FAIL);

      // FLUSHDB.
      await cli.expect(["SET", key, t.rand.word()], "OK");
      await watch(conn, key);
      await cli.expect(["FLUSHDB"], "OK");
      await transaction(conn, key, ours(t), ABORTED, "client 1 sent EXEC after another client ran FLUSHDB, which deleted the key it watches.", WATCH_FAIL);
    },
  },
  {
    name: "UNWATCH, EXEC and DISCARD forget the watched keys",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const conn = await RespConnection.open(t, redis, "client 1");
      const key = t.rand.key("balance");

      await watch(conn, key);
      await conn.command("UNWATCH");
      await conn.expectReply("+OK\r\n", { message: "client 1 sent UNWATCH.", hint: "UNWATCH replies +OK." });
      await cli.expect(["SET", key, t.rand.word()], "OK");
      await transaction(conn, key, ours(t), "*1\r\n+OK\r\n", "client 1 sent EXEC; it had UNWATCHed the key before another client changed it.", WATCH_CLEARED);

      // A successful EXEC forgets its watches.
      await watch(conn, key);
      await transaction(conn, key, ours(t), "*1\r\n+OK\r\n", "client 1 WATCHed a key nobody changed and ran MULTI/SET/EXEC.", "EXEC runs when no watched key changed.");
      await cli.expect(["SET", key, t.rand.word()], "OK");
      await transaction(conn, key, ours(t), "*1\r\n+OK\r\n", "client 1 ran a second transaction; the key changed only after the first EXEC, which ended the watch.", WATCH_CLEARED);

      // A failed EXEC forgets them too.
      await watch(conn, key);
      await cli.expect(["SET", key, t.rand.word()], "OK");
      await transaction(conn, key, ours(t), ABORTED, "client 1 sent EXEC after another client changed the key it watches.", WATCH_FAIL);
      await transaction(conn, key, ours(t), "*1\r\n+OK\r\n", "client 1 ran another transaction right after a failed one, without WATCH.", WATCH_CLEARED);

      // DISCARD forgets them.
      await watch(conn, key);
      await conn.command("MULTI");
      await conn.expectReply("+OK\r\n");
      await conn.command("DISCARD");
      await conn.expectReply("+OK\r\n", { message: "client 1 sent DISCARD." });
      await cli.expect(["SET", key, t.rand.word()], "OK");
      await transaction(conn, key, ours(t), "*1\r\n+OK\r\n", "client 1 ran a transaction; the key changed only after its DISCARD, which ended the watch.", WATCH_CLEARED);
    },
  },
  {
    name: "WATCH inside MULTI is an error that does not abort the transaction",
    async run(t) {
      const redis = await t.start();
      const key = t.rand.key("balance");
      const value = t.rand.word();
      await expectSession(
        t,
        redis,
        [["MULTI"], ["WATCH", key], ["SET", key, value], ["EXEC"], ["WATCH"]],
        ["OK", "(error) ERR WATCH inside MULTI is not allowed", "QUEUED", "1) OK", "(error) ERR wrong number of arguments for 'watch' command"],
        {
          message: "MULTI, WATCH, SET, EXEC, then WATCH with no key.",
          hint: 'WATCH is not queued: inside MULTI it replies "-ERR WATCH inside MULTI is not allowed\\r\\n" and the transaction goes on. WATCH needs at least one key.',
        },
      );
    },
  },
]);
