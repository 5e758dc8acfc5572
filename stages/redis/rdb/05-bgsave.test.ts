import { existsSync } from "node:fs";
import { join } from "node:path";
import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { expectData, startRealRedis, writeRandomData } from "./shared.ts";

export default stage(import.meta, [
  {
    name: "BGSAVE replies at once, then the dump appears and LASTSAVE moves",
    async run(t) {
      const file = `${t.rand.word()}.rdb`;
      const redis = await t.start({ extraArgs: ["--dir", t.dir, "--dbfilename", file] });
      const cli = redisCli(t, redis);
      const data = await writeRandomData(t, cli);
      const before = Number(/\d+/.exec(await cli.run(["LASTSAVE"]))?.[0] ?? NaN);
      if (!(Math.abs(before - Date.now() / 1000) < 60)) {
        t.fail({ message: "LASTSAVE should reply with a Unix time in seconds (the start-up time when nothing was saved yet).", received: String(before), hint: "LASTSAVE replies with an integer: the Unix time of the last successful save, or of start-up." });
      }
      // LASTSAVE has a resolution of one second: let the clock move past it.
      while (Date.now() / 1000 < before + 1) await Bun.sleep(20);
      await cli.expect(["BGSAVE"], "Background saving started", {
        hint: 'BGSAVE replies with the simple string "Background saving started" at once and writes the dump in the background (Redis forks); it does not reply +OK like SAVE.',
      });
      // Written right after BGSAVE replied: not part of the snapshot.
      const late = t.rand.key("after-bgsave");
      await cli.expect(["SET", late, "late"], "OK", { hint: "Commands keep being served while BGSAVE writes the dump." });
      const deadline = Date.now() + 5000;
      let last = before;
      while (Date.now() < deadline) {
        last = Number(/\d+/.exec(await cli.run(["LASTSAVE"]))?.[0] ?? NaN);
        if (last > before) break;
        await Bun.sleep(50);
      }
      if (!(last > before)) t.fail({ message: "LASTSAVE did not change within 5 s of BGSAVE.", expected: `more than ${before}`, received: String(last), hint: "When the background save completes, set the last-save time LASTSAVE reports." });
      const path = join(t.dir, file);
      if (!existsSync(path)) t.fail({ message: `After BGSAVE completed there is no file ${path}.`, hint: "Write the dump into the --dir directory under the name given by --dbfilename." });
      const real = await startRealRedis(t, ["--dir", t.dir, "--dbfilename", file]);
      await real.cli.expect(["EXISTS", late], "(integer) 0", {
        message: `The key ${late}, SET right after BGSAVE replied, must not be in the dump (redis-server, started on it, has it).`,
        hint: "BGSAVE saves the data as it was when BGSAVE ran: take the snapshot at once (Redis forks), then write it in the background; later changes are not in it.",
      });
      await expectData(real.cli, data, "redis-server, started on the dump BGSAVE wrote, must hold the same data.");
    },
  },
]);
