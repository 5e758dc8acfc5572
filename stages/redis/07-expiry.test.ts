import { redisCli } from "../../challenges/redis/clients/redis.ts";
import { stage } from "../../harness/stage/define.ts";

const EXPIRES = "Store an absolute expiry time with the key when SET has PX (milliseconds) or EX (seconds), and treat the key as missing once that time has passed.";

export default stage(import.meta, [
  {
    name: "a key SET with PX is gone after its time",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key();
      const value = t.rand.word();
      await cli.expect(["SET", key, value, "px", "300"], "OK", { hint: "SET accepts options after the value: PX <milliseconds>; option names are case-insensitive (px is PX)." });
      await cli.expect(["GET", key], `"${value}"`, { hint: "The key must exist until its 300 ms are up." });
      t.log.note("waiting 500 ms for the key to expire");
      await Bun.sleep(500);
      await cli.expect(["GET", key], "(nil)", { hint: EXPIRES });
    },
  },
  {
    name: "a key SET with EX is gone after its seconds",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key();
      await cli.expect(["SET", key, t.rand.word(), "EX", "1"], "OK", { hint: "SET accepts EX <seconds>." });
      // Rounded to the nearest second, 1 s left reads 1 (or 0 if the machine paused for half a second).
      await cli.expectThat(["TTL", key], (out) => out === "(integer) 1" || out === "(integer) 0", {
        expected: "(integer) 1",
        hint: "TTL replies with the seconds left (not milliseconds), rounded to the nearest second.",
      });
      t.log.note("waiting 1.2 s for the key to expire");
      await Bun.sleep(1200);
      await cli.expect(["GET", key], "(nil)", { hint: EXPIRES });
    },
  },
  {
    name: "TTL and PTTL report the time left and count down, -1 without expiry and -2 for a missing key",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const [withTtl, without] = [t.rand.key(), t.rand.key()];
      await cli.steps([
        [["SET", withTtl, "v", "PX", "20000"], "OK"],
        [["SET", without, "v"], "OK"],
        [["TTL", without], "(integer) -1", "TTL is -1 for a key that exists but has no expiry."],
        [["TTL", t.rand.key("missing")], "(integer) -2", "TTL is -2 for a key that does not exist."],
        [["PTTL", t.rand.key("missing")], "(integer) -2", "PTTL is -2 for a key that does not exist."],
        [["PTTL", without], "(integer) -1", "PTTL is -1 for a key without expiry."],
      ]);
      await cli.expectThat(["TTL", withTtl], (out) => out === "(integer) 20" || out === "(integer) 19", {
        expected: "(integer) 20",
        hint: "TTL is in seconds, rounded: just under 20000 ms left is 20.",
      });
      const pttl = async () => {
        const out = await cli.run(["PTTL", withTtl]);
        const ms = Number(/^\(integer\) (\d+)$/.exec(out)?.[1] ?? NaN);
        if (!(ms > 15000 && ms <= 20000)) {
          t.fail({ message: "PTTL should give the milliseconds left: a little under 20000 after SET … PX 20000.", expected: "(integer) 15000 … 20000", received: out, hint: "PTTL is TTL in milliseconds." });
        }
        return ms;
      };
      const before = await pttl();
      t.log.note("waiting 300 ms");
      await Bun.sleep(300);
      const after = await pttl();
      if (!(before - after >= 250)) {
        t.fail({ message: `PTTL should count down: it read ${before}, then ${after} 300 ms later.`, hint: "Store the expiry as an absolute time and compute what is left on each call." });
      }
    },
  },
  {
    name: "a plain SET discards the key's old expiry",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key();
      await cli.steps([
        [["SET", key, "first", "PX", "200"], "OK"],
        [["SET", key, "second"], "OK"],
      ]);
      t.log.note("waiting 400 ms: past the first SET's expiry");
      await Bun.sleep(400);
      const hint = "SET without EX/PX removes any expiry the key had (unless KEEPTTL is given).";
      await cli.steps([
        [["GET", key], '"second"', hint],
        [["TTL", key], "(integer) -1", hint],
      ]);
    },
  },
  {
    name: "an expired key is gone for every command, not only GET",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key();
      await cli.expect(["SET", key, t.rand.word(), "PX", "100"], "OK");
      t.log.note("waiting 300 ms, without reading the key");
      await Bun.sleep(300);
      await cli.expect(["TTL", key], "(integer) -2", { hint: "Expiry must not depend on GET: check the expiry time on every access to a key (and/or delete expired keys in the background)." });
    },
  },
]);
