import { stage } from "../../../harness/stage/define.ts";
import { expectSession } from "./shared.ts";

const EXECABORT = "(error) EXECABORT Transaction discarded because of previous errors.";
const ABORT_HINT =
  'A command that fails while being queued (unknown command, wrong number of arguments) gets its error at once, and marks the transaction: EXEC then runs NOTHING and replies "-EXECABORT Transaction discarded because of previous errors.\\r\\n", and the connection leaves MULTI.';
const RUNTIME_HINT =
  "An error raised while EXEC runs a command (WRONGTYPE, not an integer, …) is just that command's entry in EXEC's array: do not stop, and do not roll back, the other commands still run.";

export default stage(import.meta, [
  {
    name: "an unknown command while queueing makes EXEC refuse the whole transaction",
    async run(t) {
      const redis = await t.start();
      const key = t.rand.key("tx");
      const value = t.rand.word();
      const bogus = t.rand.pick(["NOSUCHCMD", "SETT", "GETX"]);
      const arg = t.rand.word();
      await expectSession(
        t,
        redis,
        [["MULTI"], ["SET", key, value], [bogus, arg], ["EXEC"], ["GET", key]],
        ["OK", "QUEUED", `(error) ERR unknown command '${bogus}', with args beginning with: '${arg}' `, EXECABORT, "(nil)"],
        { message: `MULTI, SET, an unknown command ${bogus}, EXEC, then GET of the key the SET would have set.`, hint: ABORT_HINT },
      );
    },
  },
  {
    name: "a wrong number of arguments while queueing makes EXEC refuse the whole transaction",
    async run(t) {
      const redis = await t.start();
      const counter = t.rand.key("counter");
      await expectSession(
        t,
        redis,
        [["MULTI"], ["INCR", counter], ["GET"], ["INCR", counter], ["EXEC"], ["GET", counter]],
        ["OK", "QUEUED", "(error) ERR wrong number of arguments for 'get' command", "QUEUED", EXECABORT, "(nil)"],
        { message: "MULTI, INCR, GET without its key, INCR, EXEC, then GET of the counter.", hint: ABORT_HINT },
      );
    },
  },
  {
    name: "an error while EXEC runs a command does not stop the others",
    async run(t) {
      const redis = await t.start();
      const text = t.rand.key("text");
      const key = t.rand.key("tx");
      const word = t.rand.word();
      const value = t.rand.word();
      await expectSession(
        t,
        redis,
        [["SET", text, word], ["MULTI"], ["INCR", text], ["SET", key, value], ["APPEND", key, "!"], ["INCRBY", key, "2"], ["GET", key], ["EXEC"], ["GET", key]],
        [
          "OK",
          "OK",
          "QUEUED",
          "QUEUED",
          "QUEUED",
          "QUEUED",
          "QUEUED",
          "1) (error) ERR value is not an integer or out of range",
          "2) OK",
          `3) (integer) ${value.length + 1}`,
          "4) (error) ERR value is not an integer or out of range",
          `5) "${value}!"`,
          `"${value}!"`,
        ],
        { message: "MULTI with two commands that fail when run (INCR of a word) among others, then EXEC.", hint: RUNTIME_HINT },
      );
    },
  },
  {
    name: "after EXECABORT the connection is out of MULTI and runs commands at once",
    async run(t) {
      const redis = await t.start();
      const key = t.rand.key("tx");
      const value = t.rand.word();
      await expectSession(
        t,
        redis,
        [["MULTI"], ["SET", key], ["EXEC"], ["SET", key, value], ["EXEC"], ["MULTI"], ["SET", key, value], ["EXEC"]],
        ["OK", "(error) ERR wrong number of arguments for 'set' command", EXECABORT, "OK", "(error) ERR EXEC without MULTI", "OK", "QUEUED", "1) OK"],
        { message: "MULTI, SET with a missing argument, EXEC, then SET and EXEC again, then a new MULTI, SET, EXEC (which must run).", hint: `${ABORT_HINT} Forget the failed flag with the queue, so the next transaction starts clean.` },
      );
    },
  },
]);
