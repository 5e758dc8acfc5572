import { readFileSync, truncateSync } from "node:fs";
import { basename } from "node:path";
import { stage } from "../../../harness/stage/define.ts";
import { aofArgs, incrFile, kill9, startWith } from "./shared.ts";

const TRUNCATED = "A crash can leave the last command of the AOF half-written. Like Redis with aof-load-truncated yes (the default), load every complete command, log a warning, truncate the file after the last complete command, and start.";

export default stage(import.meta, [
  {
    name: "a half-written last command is dropped and the rest is loaded",
    async run(t) {
      const args = aofArgs(t.dir, "always");
      const first = await startWith(t, args, TRUNCATED);
      const keys = Array.from({ length: t.rand.int(4, 8) }, (_, i) => `${t.rand.key("k")}${i}`);
      const values = keys.map(() => t.rand.word());
      for (let i = 0; i < keys.length; i++) await first.cli.expect(["SET", keys[i]!, values[i]!], "OK");
      await kill9(t, first.redis);
      // The last record is SET <last key> <last value>: cut it somewhere in the middle.
      const file = incrFile(t.dir);
      const size = readFileSync(file).length;
      const last = keys.length - 1;
      const record = `*3\r\n$3\r\nSET\r\n$${keys[last]!.length}\r\n${keys[last]}\r\n$${values[last]!.length}\r\n${values[last]}\r\n`;
      const cut = t.rand.int(1, record.length - 1);
      truncateSync(file, size - cut);
      t.log.command(`truncate -s ${size - cut} ${file}   # cuts ${cut} bytes off the last command`);
      const second = await startWith(t, args, `Your program did not start on an AOF whose last command (${basename(file)}) is cut short. ${TRUNCATED}`);
      for (let i = 0; i < last; i++) await second.cli.expect(["GET", keys[i]!], JSON.stringify(values[i]), { hint: TRUNCATED });
      await second.cli.expect(["GET", keys[last]!], "(nil)", { hint: `The half-written command must not be applied. ${TRUNCATED}` });
      // The file must have been truncated: new writes appended after the cut must load again.
      const extra = t.rand.key("after");
      await second.cli.expect(["SET", extra, "written after the cut"], "OK");
      await kill9(t, second.redis);
      const third = await startWith(t, args, `Your program did not start on the AOF after it had loaded a truncated one and taken more writes. ${TRUNCATED}`);
      await third.cli.expect(["GET", extra], '"written after the cut"', { hint: `Truncate the file at the end of the last complete command before appending new ones, or new commands follow the partial one and the file is corrupt. ${TRUNCATED}` });
      await third.cli.expect(["GET", keys[0]!], JSON.stringify(values[0]), { hint: TRUNCATED });
    },
  },
]);
