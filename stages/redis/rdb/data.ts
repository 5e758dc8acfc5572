// What the test dumps in challenges/redis/data hold (written by make-rdb.sh
// there with redis-server 7.0), as describe() shows each key.
import { describe, type Content } from "./shared.ts";

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

export const STRINGS: Record<string, string> = {
  greeting: "hello world",
  empty: "",
  int8: "-7",
  int16: "1234",
  int32: "305419896",
  int64: "4294967296",
  "leading-zero": "007",
  "key with spaces": "value with spaces",
  binary: "a\x00b\xffc\r\n",
  "long-a": "a".repeat(500),
  "long-text": range(40).map((i) => `the quick brown fox ${i} jumps over the lazy dog; `).join(""),
};

export const TYPES: Record<string, Content> = {
  "list-small": { type: "list", items: ["one", "two", "3", "-4", "five"] },
  "list-big": { type: "list", items: range(600).map((i) => `item-${i}`) },
  "list-ints": { type: "list", items: ["1", "-1", "127", "128", "-129", "32767", "40000", "-8388608", "2147483647", "9223372036854775807", "-9223372036854775808"] },
  "hash-small": { type: "hash", pairs: [["name", "alice"], ["age", "42"], ["city", "paris"]] },
  "hash-big": { type: "hash", pairs: range(300).map((i) => [`field-${i}`, `value-${i}`]) },
  "hash-long-value": { type: "hash", pairs: [["f", "x".repeat(100)]] },
  "set-ints": { type: "set", members: ["1", "2", "3", "100", "-5", "70000", "5000000000"] },
  "set-strings": { type: "set", members: ["apple", "banana", "cherry"] },
  "set-big": { type: "set", members: range(600).map((i) => `m${i}`) },
  "zset-small": { type: "zset", entries: [["minus-three", "-3"], ["one", "1"], ["two-and-a-half", "2.5"], ["ten", "10"]] },
  "zset-big": { type: "zset", entries: range(200).map((i) => [`member-${i}`, `${i}.25`]) },
  "zset-inf": { type: "zset", entries: [["bottom", "-inf"], ["zero", "0"], ["top", "inf"]] },
};

export function described(c: Content): string {
  return describe(c);
}
