import { stage } from "../../../harness/stage/define.ts";
import { expectData, writeRandomData } from "../rdb/shared.ts";
import { aofArgs, kill9, startWith } from "./shared.ts";

const EVERYSEC = "With appendfsync everysec, still write each command to the AOF file as it is executed (the OS keeps it even if the process is killed) and fsync the file about once a second; do not keep writes in a buffer of your own for later.";
const SHUTDOWN = "SHUTDOWN stops the server cleanly: it flushes and fsyncs the AOF, then exits (redis-cli prints nothing, the connection just closes).";

export default stage(import.meta, [
  {
    name: "writes survive a clean SHUTDOWN and a restart",
    async run(t) {
      const args = aofArgs(t.dir, "everysec");
      const first = await startWith(t, args, EVERYSEC);
      const data = await writeRandomData(t, first.cli);
      await first.cli.run(["SHUTDOWN"]);
      if ((await first.redis.process.waitExit(3000)) === null) t.fail({ message: "The program was still running 3 s after SHUTDOWN.", hint: SHUTDOWN });
      const second = await startWith(t, args, EVERYSEC);
      await expectData(second.cli, data, `${SHUTDOWN} ${EVERYSEC}`);
    },
  },
  {
    name: "writes more than a second old survive kill -9",
    async run(t) {
      const args = aofArgs(t.dir, "everysec");
      const first = await startWith(t, args, EVERYSEC);
      const data = await writeRandomData(t, first.cli);
      t.log.note("waiting 1.5 s: everysec has had time to write and fsync");
      await Bun.sleep(1500);
      await kill9(t, first.redis);
      const second = await startWith(t, args, EVERYSEC);
      await expectData(second.cli, data, EVERYSEC);
    },
  },
]);
