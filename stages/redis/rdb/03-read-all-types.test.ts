import { stage } from "../../../harness/stage/define.ts";
import { TYPES } from "./data.ts";
import { describe, expectKey, keyNames, repr, startOnDump } from "./shared.ts";

const HINTS: Record<string, string> = {
  list: "Redis 7.0 writes lists as type 18 (quicklist 2): a number of nodes, each a container kind (2 = packed) and a listpack string — possibly LZF-compressed — holding the elements. Listpack entries are strings or small integers (7-bit, 13-bit, 16/24/32/64-bit), each followed by its back-length.",
  hash: "Small hashes are type 16: one listpack string of field, value, field, value…; big hashes are type 4: a count, then field and value strings.",
  set: "Sets of integers are type 11 (intset: 4-byte integer width, 4-byte count, then little-endian integers); other sets are type 2: a count, then the members.",
  zset: "Small sorted sets are type 17: a listpack of member, score (score as text or integer); big ones are type 5: a count, then member and an 8-byte little-endian double per element, written from the highest score to the lowest.",
};

export default stage(import.meta, [
  {
    name: "loads lists, hashes, sets and sorted sets in every encoding redis-server 7.0 writes",
    async run(t) {
      const { cli } = await startOnDump(t, "types.rdb", Object.values(HINTS).join(" "));
      const names = Object.keys(TYPES).sort();
      const got = await keyNames(cli);
      t.expectEqual(got.join(", "), names.map((n) => repr(n)).join(", "), { message: "KEYS * should list every key of the dump.", hint: "Load every value type: see the hints of the next checks." });
      for (const key of t.rand.shuffle(Object.keys(TYPES))) {
        const content = TYPES[key]!;
        await expectKey(cli, key, describe(content), HINTS[content.type]!);
      }
    },
  },
]);
