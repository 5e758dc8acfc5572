import { RespConnection } from "../../../challenges/redis/clients/redis.ts";
import { showReply, type RespValue } from "../../../challenges/redis/clients/resp.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";
import { stage } from "../../../harness/stage/define.ts";
import { intsetPayload, payload, shortString } from "./dump-payload.ts";

const MISSING = "DUMP of a key that does not exist replies nil ($-1).";
const FORMAT = "DUMP's payload is what redis-server makes: the type byte (0 for a string) and the value as in an RDB file (a short string: one length byte, then its bytes), then the RDB version in 2 bytes little-endian (10 for Redis 7.0), then the CRC-64/Jones of everything before it, 8 bytes little-endian.";
const ROUND_TRIP = "RESTORE of a payload DUMP made recreates the same value (same type, same elements, same order for a list, same scores for a sorted set).";
const FOREIGN = "RESTORE reads redis-server's payloads, which use the compact encodings (a set of small integers is an intset, type 11; an integer string is encoded as a number, 0xC0 and one byte).";
const BUSY = "RESTORE onto a key that exists is -BUSYKEY Target key name already exists. (unless REPLACE is given).";
const REPLACE = "RESTORE … REPLACE replaces the existing key.";
const TTL = "RESTORE's ttl is the key's time to live in milliseconds (0: no expiry).";
const ABSTTL = "With ABSTTL the ttl is an absolute Unix time in milliseconds; one already past creates nothing (and still replies OK).";
const NEGATIVE = "A negative ttl is -ERR Invalid TTL value, must be >= 0.";
const CHECKSUM = "A payload whose checksum does not match, or whose RDB version is newer than the server reads, is -ERR DUMP payload version or checksum are wrong.";
const BAD_FORMAT = "A payload with a good checksum that does not decode to a value (an unknown type byte) is -ERR Bad data format.";
const SYNTAX = "An option RESTORE does not know is -ERR syntax error.";

class Client {
  private constructor(readonly conn: RespConnection) {}

  static async open(t: CaseContext, redis: Program): Promise<Client> {
    return new Client(await RespConnection.open(t, redis, "client"));
  }

  async call(...args: (string | Uint8Array)[]): Promise<RespValue> {
    await this.conn.command(...args);
    return (await this.conn.reply(5000, { message: `waiting for the reply to ${args.map((a) => (typeof a === "string" ? a : "<payload>")).join(" ")}` })).value;
  }

  /** Sends a command and fails unless the reply's bytes are `expected`. */
  async expect(args: (string | Uint8Array)[], expected: string | Uint8Array, hint: string): Promise<void> {
    await this.conn.command(...args);
    await this.conn.expectReply(expected, { message: `Unexpected reply to ${args.map((a) => (typeof a === "string" ? a : "<payload>")).join(" ")}.`, hint });
  }

  async dump(key: string): Promise<Buffer> {
    const v = await this.call("DUMP", key);
    if (v.type !== "bulk" || v.value === null) throw new Error(`DUMP ${key} replied ${showReply(v)}`);
    return v.value;
  }
}

const bulk = (b: Buffer | string) => {
  const buf = typeof b === "string" ? Buffer.from(b, "latin1") : b;
  return Buffer.concat([Buffer.from(`$${buf.length}\r\n`), buf, Buffer.from("\r\n")]);
};
const array = (items: string[]) => `*${items.length}\r\n${items.map((i) => `$${Buffer.byteLength(i)}\r\n${i}\r\n`).join("")}`;
const OK = "+OK\r\n";

/** A lowercase word that is not a number (so redis-server keeps it as a plain string). */
function word(t: CaseContext): string {
  return `${t.rand.word()}${t.rand.pick(["", "x", "-z"])}`;
}

export default stage(import.meta, [
  {
    name: "DUMP: nil for a missing key; a string's payload byte for byte",
    async run(t) {
      const redis = await t.start();
      const c = await Client.open(t, redis);
      const [key, missing] = [t.rand.key("s"), t.rand.key("missing")];
      const value = word(t);
      await c.call("SET", key, value);
      await c.expect(["DUMP", missing], "$-1\r\n", MISSING);
      t.log.note(`the expected payload of "${value}": 00 ${shortString(Buffer.from(value)).toString("hex")} 0a00 <crc64>`);
      await c.expect(["DUMP", key], bulk(payload(Buffer.concat([Buffer.from([0]), shortString(Buffer.from(value))]))), FORMAT);
    },
  },
  {
    name: "RESTORE of DUMP's payloads: a list, a hash, a set and a sorted set come back the same",
    async run(t) {
      const redis = await t.start();
      const c = await Client.open(t, redis);
      const [list, hash, set, zset] = ["l", "h", "set", "z"].map((k) => t.rand.key(k)) as [string, string, string, string];
      const items = Array.from({ length: t.rand.int(3, 6) }, (_, i) => `${t.rand.word()}${i}`);
      const members = [...new Set(Array.from({ length: t.rand.int(3, 6) }, () => t.rand.word()))].sort();
      const scores = items.map((_, i) => `${i + 1}.5`);
      await c.call("RPUSH", list, ...items);
      await c.call("HSET", hash, ...items.flatMap((f, i) => [f, `v${i}`]));
      await c.call("SADD", set, ...members);
      await c.call("ZADD", zset, ...items.flatMap((m, i) => [scores[i]!, m]));
      const copies = new Map<string, string>();
      for (const key of [list, hash, set, zset]) {
        const copy = `${key}:copy`;
        copies.set(key, copy);
        await c.expect(["RESTORE", copy, "0", await c.dump(key)], OK, ROUND_TRIP);
      }
      await c.expect(["LRANGE", copies.get(list)!, "0", "-1"], array(items), ROUND_TRIP);
      await c.expect(["HMGET", copies.get(hash)!, ...items], array(items.map((_, i) => `v${i}`)), ROUND_TRIP);
      await c.expect(["SINTERCARD", "2", set, copies.get(set)!], `:${members.length}\r\n`, ROUND_TRIP);
      await c.expect(["SCARD", copies.get(set)!], `:${members.length}\r\n`, ROUND_TRIP);
      await c.expect(["ZRANGE", copies.get(zset)!, "0", "-1", "WITHSCORES"], array(items.flatMap((m, i) => [m, scores[i]!])), ROUND_TRIP);
      await c.expect(["TTL", copies.get(list)!], ":-1\r\n", TTL);
    },
  },
  {
    name: "RESTORE of payloads in redis-server's compact encodings (intset, integer string)",
    async run(t) {
      const redis = await t.start();
      const c = await Client.open(t, redis);
      const [set, num] = [t.rand.key("ints"), t.rand.key("num")];
      const ints = [...new Set(Array.from({ length: t.rand.int(3, 7) }, () => t.rand.int(-500, 500)))];
      const n = t.rand.int(-128, 127);
      await c.expect(["RESTORE", set, "0", intsetPayload(ints)], OK, FOREIGN);
      await c.expect(["SCARD", set], `:${ints.length}\r\n`, FOREIGN);
      await c.expect(["SMISMEMBER", set, ...ints.map(String)], `*${ints.length}\r\n${":1\r\n".repeat(ints.length)}`, FOREIGN);
      await c.expect(["RESTORE", num, "0", payload(Buffer.from([0, 0xc0, n & 0xff]))], OK, FOREIGN);
      await c.expect(["GET", num], bulk(String(n)), FOREIGN);
    },
  },
  {
    name: "RESTORE: BUSYKEY, REPLACE, a TTL, ABSTTL in the past, a negative TTL",
    async run(t) {
      const redis = await t.start();
      const c = await Client.open(t, redis);
      const [key, ttlKey, pastKey, src] = ["k", "ttl", "past", "src"].map((k) => t.rand.key(k)) as [string, string, string, string];
      const [old, fresh] = [word(t), `${word(t)}2`];
      await c.call("SET", key, old);
      await c.call("SET", src, fresh);
      const p = await c.dump(src);
      await c.expect(["RESTORE", key, "0", p], "-BUSYKEY Target key name already exists.\r\n", BUSY);
      await c.expect(["GET", key], bulk(old), BUSY);
      await c.expect(["RESTORE", key, "0", p, "REPLACE"], OK, REPLACE);
      await c.expect(["GET", key], bulk(fresh), REPLACE);
      const ttl = t.rand.int(20, 90) * 1000;
      await c.expect(["RESTORE", ttlKey, String(ttl), p], OK, TTL);
      const pttl = await c.call("PTTL", ttlKey);
      if (pttl.type !== "integer" || pttl.value <= 0n || pttl.value > BigInt(ttl)) {
        t.fail({ message: `PTTL ${ttlKey} after RESTORE ${ttlKey} ${ttl} <payload>.`, expected: `an integer in 1..${ttl}`, received: showReply(pttl), hint: TTL });
      }
      await c.expect(["RESTORE", pastKey, String(Date.now() - t.rand.int(10, 100) * 1000), p, "ABSTTL"], OK, ABSTTL);
      await c.expect(["EXISTS", pastKey], ":0\r\n", ABSTTL);
      await c.expect(["RESTORE", t.rand.key("neg"), `-${t.rand.int(1, 1000)}`, p], "-ERR Invalid TTL value, must be >= 0\r\n", NEGATIVE);
    },
  },
  {
    name: "RESTORE refuses a bad checksum, a newer version, an unknown type, an unknown option",
    async run(t) {
      const redis = await t.start();
      const c = await Client.open(t, redis);
      const src = t.rand.key("src");
      await c.call("SET", src, word(t));
      const good = await c.dump(src);
      const flipped = Buffer.from(good);
      const at = t.rand.int(2, flipped.length - 11);
      flipped[at] = flipped[at]! ^ 0x20;
      const newer = payload(Buffer.concat([Buffer.from([0]), shortString(Buffer.from("x"))]), t.rand.int(12, 99));
      const unknownType = payload(Buffer.from([t.rand.int(200, 240), 1, 0x78]));
      const checksumError = "-ERR DUMP payload version or checksum are wrong\r\n";
      await c.expect(["RESTORE", t.rand.key("a"), "0", flipped], checksumError, `${CHECKSUM} (byte ${at} of the payload was changed)`);
      await c.expect(["RESTORE", t.rand.key("b"), "0", newer], checksumError, CHECKSUM);
      await c.expect(["RESTORE", t.rand.key("c"), "0", unknownType], "-ERR Bad data format\r\n", BAD_FORMAT);
      await c.expect(["RESTORE", t.rand.key("d"), "0", good, t.rand.pick(["KEEPTTL", "NX", "FORCE"])], "-ERR syntax error\r\n", SYNTAX);
    },
  },
]);
