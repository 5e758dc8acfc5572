import { RespConnection, redisCli } from "../../../challenges/redis/clients/redis.ts";
import { showReply, type RespValue } from "../../../challenges/redis/clients/resp.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { stage } from "../../../harness/stage/define.ts";
import { Pipeline } from "../keyspace/pipeline.ts";

const HELLO_FIELDS = ["server", "version", "proto", "id", "mode", "role", "modules"];
const HELLO_REPLY = 'HELLO replies the server\'s description: the fields server ("redis"), version, proto (the protocol now in use, an integer), id (an integer), mode ("standalone"), role ("master") and modules (an array), as a map in RESP3 ("%7") and as a flat array of 14 in RESP2.';
const SWITCH = "HELLO 3 switches the connection to RESP3: from its reply on, every reply on that connection is in RESP3.";
const NO_VERSION = "HELLO without a version only describes the server: the connection keeps the protocol it had.";
const PER_CONNECTION = "The protocol belongs to one connection: HELLO 3 on one connection does not change what the others receive (they stay in RESP2 until they send HELLO 3 themselves).";
const BACK = "HELLO 2 switches the connection back to RESP2: its reply is the flat array of 14, and every later reply is RESP2 again (nil as \"$-1\").";
const ERRORS_CHANGE_NOTHING = "A HELLO that is refused (bad version, unknown option) changes nothing: the connection keeps its protocol.";
const NULL = 'In RESP3 every null (a missing key\'s bulk string, a timed-out BLPOP\'s array, a nil inside an array) is "_\\r\\n": RESP3 has one null type.';
const MAP = 'In RESP3 HGETALL replies a map: "%<number of pairs>\\r\\n" then field, value, field, value, …; not a flat array "*<2n>".';
const EMPTY_MAP = 'HGETALL of a missing key in RESP3 is the empty map "%0\\r\\n" (not the empty array "*0").';
const SET = (cmd: string) => `In RESP3 ${cmd} replies a set: "~<count>\\r\\n" then the members; not an array "*<count>".`;
const EMPTY_SET = 'SMEMBERS of a missing key in RESP3 is the empty set "~0\\r\\n".';
const DOUBLE = (cmd: string) => `In RESP3 ${cmd} replies a score as a double: ",<text>\\r\\n", where <text> is what the RESP2 bulk string holds (printf %.17g: 0.1 is 0.10000000000000001; inf, -inf).`;
const DOUBLE_TEXT = 'A double\'s text is the RESP2 score text: %.17g (0.1 is "0.10000000000000001", 3 is "3", 1e300 is "1.0000000000000001e+300"), and "inf" / "-inf" for the infinities (not JavaScript\'s "Infinity").';
const PAIRS = 'In RESP3 ZRANGE … WITHSCORES replies one two-element array per member: "*<n>" then "*2" member ",score" for each (RESP2 is one flat array member, score, member, score).';
const VERBATIM = 'In RESP3 INFO replies a verbatim string: "=<length>\\r\\ntxt:<the INFO text>\\r\\n", the length counting the 4 bytes of "txt:".';
const PUSH_CONFIRM = 'In RESP3 the confirmations of SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE and PUNSUBSCRIBE are pushes: ">3\\r\\n" then kind, channel (or pattern, "_" when none), count; not arrays "*3".';
const PUSH_MESSAGE = 'In RESP3 a published message arrives as a push: ">3\\r\\n$7\\r\\nmessage\\r\\n" channel, payload; a pattern match as ">4\\r\\n$8\\r\\npmessage\\r\\n" pattern, channel, payload.';
const SUBSCRIBED = "In RESP3 a subscribed connection is not limited to the subscription commands: pushes are told apart from replies by their type byte, so every command works (GET is answered as usual).";
const PING = "In RESP3 PING on a subscribed connection replies +PONG as usual (the [\"pong\", \"\"] array is RESP2's subscribed-mode form).";
const PIPELINED = "HELLO switches the protocol from its own reply on: the replies to commands before it, even when sent in the same write, stay in the old protocol, and those after it are in the new one.";

/** The HELLO reply's fields by name, from a RESP3 map or a RESP2 flat array; fails on any other shape. */
function helloFields(t: CaseContext, v: RespValue, proto: 2 | 3, what: string, hint = HELLO_REPLY): Map<string, RespValue> {
  const fail = (problem: string): never => t.fail({ message: `${what}: ${problem}`, received: showReply(v), hint });
  let pairs: [RespValue, RespValue][];
  if (proto === 3) {
    if (v.type !== "map") fail(`expected a RESP3 map ("%7"), got a reply of type ${v.type}.`);
    pairs = (v as { value: [RespValue, RespValue][] }).value;
  } else {
    if (v.type !== "array" || v.value === null) fail(`expected a RESP2 array ("*14"), got a reply of type ${v.type}.`);
    const items = (v as { value: RespValue[] }).value;
    if (items.length % 2 !== 0) fail(`the array has ${items.length} items: it should be name, value pairs.`);
    pairs = [];
    for (let i = 0; i < items.length; i += 2) pairs.push([items[i]!, items[i + 1]!]);
  }
  const fields = new Map<string, RespValue>();
  for (const [k, value] of pairs) {
    if (k.type !== "bulk" || k.value === null) fail("every field name is a bulk string.");
    fields.set((k as { value: Buffer }).value.toString("latin1"), value);
  }
  const names = [...fields.keys()];
  if (names.length !== HELLO_FIELDS.length || HELLO_FIELDS.some((f) => !fields.has(f))) fail(`expected the fields ${HELLO_FIELDS.join(", ")}; got ${names.join(", ") || "none"}.`);
  const text = (name: string): string | null => {
    const f = fields.get(name)!;
    return f.type === "bulk" && f.value !== null ? f.value.toString("latin1") : null;
  };
  if (text("server") !== "redis") fail('the field server is the bulk string "redis".');
  if (!text("version")) fail("the field version is a bulk string (the server's version).");
  if (text("mode") !== "standalone") fail('the field mode is "standalone".');
  if (text("role") !== "master") fail('the field role is "master".');
  if (fields.get("id")!.type !== "integer") fail("the field id is an integer (the connection's id).");
  const modules = fields.get("modules")!;
  if (modules.type !== "array" || modules.value === null) fail("the field modules is an array.");
  const p = fields.get("proto")!;
  if (p.type !== "integer" || p.value !== BigInt(proto)) {
    t.fail({ message: `${what}: the field proto must be the integer ${proto}, the protocol the connection now speaks.`, received: showReply(p), hint });
  }
  return fields;
}

/** Sends HELLO (with `args`) and checks its reply in protocol `proto`; switches the reader to it. */
async function hello(t: CaseContext, conn: RespConnection, args: string[], proto: 2 | 3, what: string, hint: string): Promise<void> {
  await conn.command("HELLO", ...args);
  conn.resp3 = proto === 3;
  const { value } = await conn.reply(3000, { message: what, hint });
  helloFields(t, value, proto, what);
}

/** RESP bytes of a bulk string. */
const b = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;

/** A connection switched to RESP3 (HELLO 3 checked). */
async function resp3(t: CaseContext, program: Parameters<typeof RespConnection.open>[1], name: string): Promise<RespConnection> {
  const conn = await RespConnection.open(t, program, name);
  await hello(t, conn, ["3"], 3, `${name} sent HELLO 3.`, HELLO_REPLY);
  return conn;
}

/** Reads one reply; fails unless it is a RESP3 set (or, for `expected` null members, any set) holding exactly `members`. */
async function expectSet(t: CaseContext, conn: RespConnection, cmd: string, members: readonly string[]): Promise<void> {
  const { value, raw } = await conn.reply(3000, { message: `${cmd}.`, hint: SET(cmd.split(" ")[0]!) });
  if (value.type !== "set") t.fail({ message: `${cmd} on a RESP3 connection: expected a set ("~${members.length}").`, received: JSON.stringify(raw.toString("latin1")), hint: SET(cmd.split(" ")[0]!) });
  const got = (value as { value: RespValue[] }).value.map((m) => (m.type === "bulk" && m.value !== null ? m.value.toString("latin1") : showReply(m))).sort();
  const want = [...members].sort();
  if (got.join("\n") !== want.join("\n")) t.fail({ message: `${cmd}: the set holds the wrong members.`, expected: want.join(", "), received: got.join(", "), hint: "The set holds the members, each once, as bulk strings." });
}

export default stage(import.meta, [
  {
    name: "HELLO describes the server; HELLO 3 switches one connection to RESP3 and HELLO 2 back",
    async run(t) {
      const redis = await t.start();
      const a = await RespConnection.open(t, redis, "client A");
      const other = await RespConnection.open(t, redis, "client B");
      const missing = t.rand.key("missing");
      await hello(t, a, [], 2, "client A sent HELLO (no version) on a new connection: it speaks RESP2.", `${NO_VERSION} ${HELLO_REPLY}`);
      await a.command("GET", missing);
      await a.expectReply("$-1\r\n", { message: `After HELLO without a version, client A sent GET ${missing} (a missing key).`, hint: NO_VERSION });
      await hello(t, a, ["3"], 3, "client A sent HELLO 3.", HELLO_REPLY);
      await a.command("GET", missing);
      await a.expectReply("_\r\n", { message: `After HELLO 3, client A sent GET ${missing} (a missing key).`, hint: `${SWITCH} ${NULL}` });
      await other.command("GET", missing);
      await other.expectReply("$-1\r\n", { message: `client A switched to RESP3; then client B (which never sent HELLO) sent GET ${missing}.`, hint: PER_CONNECTION });
      await hello(t, a, [], 3, "client A, now in RESP3, sent HELLO without a version.", `${NO_VERSION} ${HELLO_REPLY}`);
      await hello(t, a, ["2"], 2, "client A, in RESP3, sent HELLO 2.", BACK);
      await a.command("GET", missing);
      await a.expectReply("$-1\r\n", { message: `After HELLO 2, client A sent GET ${missing}.`, hint: BACK });
      const hash = t.rand.key("h");
      const [f, v] = [t.rand.word(), t.rand.word()];
      await a.command("HSET", hash, f, v);
      await a.expectReply(":1\r\n");
      await a.command("HGETALL", hash);
      await a.expectReply(`*2\r\n${b(f)}${b(v)}`, { message: `After HELLO 2, client A sent HGETALL of a hash with one field.`, hint: BACK });
    },
  },
  {
    name: "a refused HELLO: NOPROTO for versions other than 2 and 3, errors for a non-number and unknown options, and the protocol unchanged",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis, "client");
      const missing = t.rand.key("missing");
      const word = t.rand.pick(["three", "v3", "resp3", "3.0", "x"]);
      const option = t.rand.pick(["Fast", "PROTO", "auth2", "Name", "select"]);
      const cases: [string[], string, string][] = [
        [["4"], "-NOPROTO unsupported protocol version\r\n", "Only versions 2 and 3 exist: any other number is refused with -NOPROTO unsupported protocol version."],
        [["1"], "-NOPROTO unsupported protocol version\r\n", "Only versions 2 and 3 exist: 1 (RESP1) is refused with -NOPROTO unsupported protocol version too."],
        [[word], "-ERR Protocol version is not an integer or out of range\r\n", "A version that is not an integer is -ERR Protocol version is not an integer or out of range."],
        [["3", option], `-ERR Syntax error in HELLO option '${option}'\r\n`, "After the version HELLO takes only AUTH <username> <password> and SETNAME <name>; anything else is -ERR Syntax error in HELLO option '<option as sent>'."],
      ];
      for (const [args, reply, hint] of cases) {
        await conn.command("HELLO", ...args);
        await conn.expectReply(reply, { message: `HELLO ${args.join(" ")}.`, hint });
        await conn.command("GET", missing);
        await conn.expectReply("$-1\r\n", { message: `After the refused HELLO ${args.join(" ")}, GET ${missing} (a missing key).`, hint: ERRORS_CHANGE_NOTHING });
      }
    },
  },
  {
    name: "RESP3 replies: nulls, maps, sets, doubles, score pairs and INFO's verbatim string, as redis-cli -3 shows them",
    async run(t) {
      const redis = await t.start();
      const setup = await Pipeline.open(t, redis, "setup");
      const [hash, set, other, zset, str] = ["h", "s", "s2", "z", "str"].map((k) => t.rand.key(k)) as [string, string, string, string, string];
      const missing = t.rand.key("missing");
      const fields = Array.from({ length: t.rand.int(3, 5) }, (_, i) => [`${t.rand.word()}-${i}`, t.rand.word()] as const);
      const members = Array.from({ length: t.rand.int(3, 5) }, (_, i) => `${t.rand.word()}-${i}`);
      const shared = members.slice(0, 2);
      const mine = `${t.rand.word()}-only`;
      const k = t.rand.int(1, 99);
      // Scores in ascending order, with their RESP2/RESP3 text.
      const scores: [string, string, string][] = [
        ["-inf", "-inf", `${t.rand.word()}-minf`],
        ["0.1", "0.10000000000000001", `${t.rand.word()}-tenth`],
        [String(k), String(k), `${t.rand.word()}-int`],
        [`${k}.25`, `${k}.25`, `${t.rand.word()}-quarter`],
        ["1e300", "1.0000000000000001e+300", `${t.rand.word()}-huge`],
        ["inf", "inf", `${t.rand.word()}-pinf`],
      ];
      const value = t.rand.word();
      await setup.run([
        ["HSET", hash, ...fields.flat()],
        ["SADD", set, ...members],
        ["SADD", other, ...shared, mine],
        ["ZADD", zset, ...scores.flatMap(([s, , m]) => [s, m])],
        ["SET", str, value],
      ]);

      t.log.note("first as redis-cli -3 shows them (it sends HELLO 3 when it connects)");
      const cli = redisCli(t, redis, 3);
      const [f0, v0] = fields[0]!;
      const one = t.rand.key("one");
      await setup.run([["HSET", one, f0, v0], ["SADD", `${one}:set`, mine]]);
      await cli.steps([
        [["HGETALL", one], `1# "${f0}" => "${v0}"`, MAP],
        [["SMEMBERS", `${one}:set`], `1~ "${mine}"`, SET("SMEMBERS")],
        [["ZSCORE", zset, scores[3]![2]], `(double) ${k}.25`, DOUBLE("ZSCORE")],
        [["GET", missing], "(nil)", NULL],
      ]);

      const conn = await resp3(t, redis, "client");
      await conn.command("GET", missing);
      await conn.expectReply("_\r\n", { message: `GET ${missing} (a missing key) on a RESP3 connection.`, hint: NULL });
      await conn.command("MGET", str, missing);
      await conn.expectReply(`*2\r\n${b(value)}_\r\n`, { message: `MGET ${str} ${missing} (the second key is missing) on a RESP3 connection.`, hint: NULL });
      await conn.command("BLPOP", missing, "0.05");
      await conn.expectReply("_\r\n", { message: `BLPOP ${missing} 0.05 (a list that never gets an element: it times out) on a RESP3 connection.`, hint: NULL });

      await conn.command("HGETALL", hash);
      await conn.expectReply(`%${fields.length}\r\n${fields.map(([f, v]) => b(f) + b(v)).join("")}`, { message: `HGETALL of a hash with ${fields.length} fields on a RESP3 connection.`, hint: MAP });
      await conn.command("HGETALL", missing);
      await conn.expectReply("%0\r\n", { message: `HGETALL ${missing} (a missing key) on a RESP3 connection.`, hint: EMPTY_MAP });

      await conn.command("SMEMBERS", set);
      await expectSet(t, conn, `SMEMBERS ${set}`, members);
      await conn.command("SINTER", set, other);
      await expectSet(t, conn, `SINTER ${set} ${other}`, shared);
      await conn.command("SUNION", set, other);
      await expectSet(t, conn, `SUNION ${set} ${other}`, [...members, mine]);
      await conn.command("SDIFF", set, other);
      await expectSet(t, conn, `SDIFF ${set} ${other}`, members.slice(2));
      await conn.command("SMEMBERS", missing);
      await conn.expectReply("~0\r\n", { message: `SMEMBERS ${missing} (a missing key) on a RESP3 connection.`, hint: EMPTY_SET });

      for (const [score, text, member] of scores) {
        await conn.command("ZSCORE", zset, member);
        await conn.expectReply(`,${text}\r\n`, { message: `ZSCORE of a member added with score ${score}, on a RESP3 connection.`, hint: `${DOUBLE("ZSCORE")} ${DOUBLE_TEXT}` });
      }
      await conn.command("ZSCORE", zset, missing);
      await conn.expectReply("_\r\n", { message: "ZSCORE of a member the sorted set does not have, on a RESP3 connection.", hint: NULL });
      const bumped = scores[2]![2];
      await conn.command("ZINCRBY", zset, "0.5", bumped);
      await conn.expectReply(`,${k}.5\r\n`, { message: `ZINCRBY ${zset} 0.5 on a member with score ${k}, on a RESP3 connection.`, hint: DOUBLE("ZINCRBY") });
      await conn.command("ZMSCORE", zset, scores[1]![2], missing);
      await conn.expectReply(`*2\r\n,0.10000000000000001\r\n_\r\n`, { message: "ZMSCORE of a member with score 0.1 and of a missing member, on a RESP3 connection.", hint: `${DOUBLE("ZMSCORE")} A missing member is "_".` });
      // After ZINCRBY the integer member (k.5) comes after the k.25 one.
      const expectedScores = [0, 1, 3, 2, 4, 5].map((i) => [scores[i]![2], i === 2 ? `${k}.5` : scores[i]![1]] as const);
      await conn.command("ZRANGE", zset, "0", "-1", "WITHSCORES");
      await conn.expectReply(`*${scores.length}\r\n${expectedScores.map(([m, s]) => `*2\r\n${b(m)},${s}\r\n`).join("")}`, { message: `ZRANGE ${zset} 0 -1 WITHSCORES (${scores.length} members) on a RESP3 connection.`, hint: PAIRS });

      await conn.command("INFO", "server");
      const { value: info, raw } = await conn.reply(3000, { message: "INFO server on a RESP3 connection.", hint: VERBATIM });
      if (info.type !== "verbatim" || info.format !== "txt") t.fail({ message: "INFO server on a RESP3 connection: expected a verbatim string of format txt (\"=<length>\\r\\ntxt:…\").", received: JSON.stringify(raw.toString("latin1").slice(0, 80)), hint: VERBATIM });
      const text = (info as { value: Buffer }).value.toString("latin1");
      if (!text.startsWith("# Server\r\n")) t.fail({ message: "INFO server on a RESP3 connection: the verbatim text is INFO's text, starting with its section header.", expected: "# Server\\r\\n…", received: JSON.stringify(text.slice(0, 60)), hint: VERBATIM });
    },
  },
  {
    name: "pub/sub in RESP3: confirmations and messages are pushes, and a subscribed connection runs any command",
    async run(t) {
      const redis = await t.start();
      const sub = await resp3(t, redis, "subscriber");
      const publisher = await RespConnection.open(t, redis, "publisher");
      const channel = t.rand.key("ch");
      const pattern = `${channel.slice(0, -2)}*`;
      const payload = t.rand.word();
      const missing = t.rand.key("missing");
      await sub.command("SUBSCRIBE", channel);
      await sub.expectReply(`>3\r\n${b("subscribe")}${b(channel)}:1\r\n`, { message: `SUBSCRIBE ${channel} on a RESP3 connection.`, hint: PUSH_CONFIRM });
      await sub.command("PSUBSCRIBE", pattern);
      await sub.expectReply(`>3\r\n${b("psubscribe")}${b(pattern)}:2\r\n`, { message: `PSUBSCRIBE ${pattern} on a RESP3 connection.`, hint: PUSH_CONFIRM });
      await sub.command("GET", missing);
      await sub.expectReply("_\r\n", { message: `GET ${missing} on a RESP3 connection that is subscribed to a channel and a pattern.`, hint: SUBSCRIBED });
      await sub.command("PING");
      await sub.expectReply("+PONG\r\n", { message: "PING on a subscribed RESP3 connection.", hint: PING });
      await publisher.command("PUBLISH", channel, payload);
      await publisher.expectReply(":2\r\n", { message: `PUBLISH ${channel} ${payload}: the RESP3 subscriber matches by channel and by pattern.`, hint: "PUBLISH counts every delivery: one for the channel, one for the pattern." });
      await sub.expectReply(`>3\r\n${b("message")}${b(channel)}${b(payload)}`, { message: `The RESP3 subscriber's message for PUBLISH ${channel} ${payload}.`, hint: PUSH_MESSAGE });
      await sub.expectReply(`>4\r\n${b("pmessage")}${b(pattern)}${b(channel)}${b(payload)}`, { message: `The RESP3 subscriber's pattern message for PUBLISH ${channel} ${payload}.`, hint: PUSH_MESSAGE });
      await sub.command("UNSUBSCRIBE", channel);
      await sub.expectReply(`>3\r\n${b("unsubscribe")}${b(channel)}:1\r\n`, { message: `UNSUBSCRIBE ${channel} on a RESP3 connection.`, hint: PUSH_CONFIRM });
      await sub.command("PUNSUBSCRIBE");
      await sub.expectReply(`>3\r\n${b("punsubscribe")}${b(pattern)}:0\r\n`, { message: "PUNSUBSCRIBE (no argument) on a RESP3 connection.", hint: PUSH_CONFIRM });
      await sub.command("UNSUBSCRIBE");
      await sub.expectReply(`>3\r\n${b("unsubscribe")}_\r\n:0\r\n`, { message: "UNSUBSCRIBE with no argument and no subscription left, on a RESP3 connection.", hint: `${PUSH_CONFIRM} ${NULL}` });
    },
  },
  {
    name: "pipelined around HELLO: replies before it keep the old protocol, those after it take the new one",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis, "client");
      const missing = t.rand.key("missing");
      t.log.note("one write: GET missing, HELLO 3, GET missing, HELLO 2, GET missing");
      await conn.send(["GET", "HELLO 3", "GET", "HELLO 2", "GET"].map((c) => (c === "GET" ? `GET ${missing}\r\n` : `${c}\r\n`)).join(""));
      await conn.expectReply("$-1\r\n", { message: `The reply to GET ${missing}, sent in the same write as a HELLO 3 after it.`, hint: PIPELINED });
      conn.resp3 = true;
      const first = await conn.reply(3000, { message: "The reply to the pipelined HELLO 3.", hint: PIPELINED });
      helloFields(t, first.value, 3, "The reply to the pipelined HELLO 3", PIPELINED);
      await conn.expectReply("_\r\n", { message: `The reply to GET ${missing}, pipelined after HELLO 3.`, hint: PIPELINED });
      conn.resp3 = false;
      const second = await conn.reply(3000, { message: "The reply to the pipelined HELLO 2.", hint: PIPELINED });
      helloFields(t, second.value, 2, "The reply to the pipelined HELLO 2", PIPELINED);
      await conn.expectReply("$-1\r\n", { message: `The reply to GET ${missing}, pipelined after HELLO 2.`, hint: PIPELINED });
    },
  },
]);
