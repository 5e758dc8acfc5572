import { existsSync } from "node:fs";
import { join } from "node:path";
import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { expectData, startRealRedis, writeRandomData } from "./shared.ts";

const FORMAT = "Write \"REDIS0010\" (or another version 1–11), aux fields, 0xFE 0 (select db 0), then each key (0xFC + 8-byte expiry first if it has one) with its type byte, and 0xFF followed by the 8-byte little-endian CRC-64 (Jones polynomial, as Redis's crc64.c) of everything before it.";

export default stage(import.meta, [
  {
    name: "SAVE writes a dump that redis-check-rdb accepts and redis-server loads with the same data",
    async run(t) {
      const file = `${t.rand.word()}.rdb`;
      const redis = await t.start({ extraArgs: ["--dir", t.dir, "--dbfilename", file] });
      const cli = redisCli(t, redis);
      const data = await writeRandomData(t, cli);
      await cli.expect(["SAVE"], "OK", { hint: "SAVE writes the dump to <dir>/<dbfilename> and replies +OK when the file is complete." });
      const path = join(t.dir, file);
      if (!existsSync(path)) t.fail({ message: `After SAVE there is no file ${path}.`, hint: "Write the dump into the --dir directory under the name given by --dbfilename." });
      const check = await t.client("redis-tools", ["redis-check-rdb", path]);
      if (check.code !== 0 || !check.output.includes("RDB looks OK")) {
        t.fail({ message: "redis-check-rdb rejects the dump SAVE wrote.", received: check.output.split("\n").slice(-8).join("\n"), hint: FORMAT });
      }
      const real = await startRealRedis(t, ["--dir", t.dir, "--dbfilename", file]);
      await expectData(real.cli, data, `redis-server, started on your dump, must hold the same data. ${FORMAT}`);
    },
  },
  {
    name: "a dump written by SAVE is loaded again at the next start",
    async run(t) {
      const file = `${t.rand.word()}.rdb`;
      const args = ["--dir", t.dir, "--dbfilename", file];
      const first = await t.start({ extraArgs: args });
      const data = await writeRandomData(t, redisCli(t, first));
      await redisCli(t, first).expect(["SAVE"], "OK");
      await first.stop();
      const second = await t.start({ extraArgs: args });
      await expectData(redisCli(t, second), data, "Started on the dump SAVE wrote, the program must load every key back.");
    },
  },
]);
