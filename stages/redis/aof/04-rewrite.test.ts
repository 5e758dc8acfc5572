import { stage } from "../../../harness/stage/define.ts";
import { startRealRedis } from "../rdb/shared.ts";
import { aofArgs, aofSize, kill9, startWith } from "./shared.ts";

const REWRITE = "BGREWRITEAOF replies \"Background append only file rewriting started\" and, in the background, writes a new base file holding the dataset as it is now (in RDB format, or as one command per key), starts a new empty incremental file, points the manifest at both (higher seq numbers) and deletes the old files — so many overwrites of a few keys shrink to a few records.";

export default stage(import.meta, [
  {
    name: "BGREWRITEAOF compacts the AOF and keeps the data",
    async run(t) {
      const args = aofArgs(t.dir, "always");
      const first = await startWith(t, args, REWRITE);
      const keys = [t.rand.key("a"), t.rand.key("b"), t.rand.key("c")];
      const counts = [0, 0, 0];
      const lines: string[] = [];
      for (let i = 0; i < 300; i++) {
        const k = t.rand.int(0, 2);
        counts[k]!++;
        lines.push(`INCR ${keys[k]}`);
      }
      await first.cli.run([], { stdin: `${lines.join("\n")}\n` });
      const before = aofSize(t.dir);
      await first.cli.expect(["BGREWRITEAOF"], "Background append only file rewriting started", { hint: REWRITE });
      const deadline = Date.now() + 5000;
      let after = before;
      while (Date.now() < deadline) {
        const info = await first.cli.run(["INFO", "persistence"]);
        after = aofSize(t.dir);
        if (info.includes("aof_rewrite_in_progress:0") && after < before / 3) break;
        await Bun.sleep(50);
      }
      if (!(after < before / 3)) {
        t.fail({ message: `The AOF directory did not shrink after BGREWRITEAOF: ${before} bytes before (300 INCRs of 3 keys), ${after} bytes 5 s later.`, expected: `less than ${Math.floor(before / 3)} bytes`, received: `${after} bytes`, hint: REWRITE });
      }
      const later = t.rand.key("later");
      await first.cli.expect(["SET", later, "after the rewrite"], "OK");
      await kill9(t, first.redis);
      const hint = `The data must be the same after a rewrite and a restart: writes after the rewrite go to the new incremental file. ${REWRITE}`;
      const second = await startWith(t, args, hint);
      for (let i = 0; i < 3; i++) await second.cli.expect(["GET", keys[i]!], counts[i] ? `"${counts[i]}"` : "(nil)", { hint });
      await second.cli.expect(["GET", later], '"after the rewrite"', { hint });
      await kill9(t, second.redis);
      const real = await startRealRedis(t, ["--dir", t.dir, "--appendonly", "yes"]);
      for (let i = 0; i < 3; i++) await real.cli.expect(["GET", keys[i]!], counts[i] ? `"${counts[i]}"` : "(nil)", { hint: `redis-server must load the rewritten AOF directory. ${REWRITE}` });
      await real.cli.expect(["GET", later], '"after the rewrite"', { hint: `redis-server must load the rewritten AOF directory. ${REWRITE}` });
    },
  },
]);
