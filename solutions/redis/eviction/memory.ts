// How much memory we say the dataset uses (INFO memory `used_memory`, and
// what maxmemory is compared with).
//
// A JavaScript heap cannot tell how many bytes one key costs, and the heap
// size moves with garbage collection, so we do not measure: we estimate,
// deterministically, like this:
//
//   used_memory = BASE_MEMORY                          (the empty server)
//               + for each key: KEY_OVERHEAD           (table entry, object header)
//                               + key bytes
//                               + value bytes          (see valueBytes below)
//                               + EXPIRE_OVERHEAD      (if the key has a TTL)
//
// Real Redis reports what its allocator holds (about 0.9 MB empty, roughly
// 50-100 bytes of overhead per small key, plus client buffers), so the
// numbers differ; tests read used_memory after start and set maxmemory
// relative to it.

import type { RedisValue } from "../keyspace.ts";

export const BASE_MEMORY = 1024 * 1024;
export const KEY_OVERHEAD = 64;
export const EXPIRE_OVERHEAD = 16;
/** Per element of a list / set / hash field / sorted set member / stream entry. */
const ELEMENT_OVERHEAD = 16;
/** Sorted set members and stream entries are costed without reading their bytes. */
const ZSET_MEMBER_ESTIMATE = 48;
const STREAM_ENTRY_ESTIMATE = 96;

/** Estimated bytes of a value (O(elements) for lists, hashes and sets). */
export function valueBytes(value: RedisValue): number {
  switch (value.type) {
    case "string":
      return value.data.length;
    case "list": {
      let n = 0;
      for (const item of value.data) n += item.length + ELEMENT_OVERHEAD;
      return n;
    }
    case "hash": {
      let n = 0;
      for (const [field, v] of value.data) n += field.length + v.length + 2 * ELEMENT_OVERHEAD;
      return n;
    }
    case "set": {
      let n = 0;
      for (const member of value.data) n += member.length + ELEMENT_OVERHEAD;
      return n;
    }
    case "zset":
      return value.data.size * (ZSET_MEMBER_ESTIMATE + ELEMENT_OVERHEAD);
    case "stream":
      return value.data.length * STREAM_ENTRY_ESTIMATE;
  }
}

/** Estimated bytes of one key with its value. */
export function keyBytes(key: string, value: RedisValue, hasTtl: boolean): number {
  return KEY_OVERHEAD + key.length + valueBytes(value) + (hasTtl ? EXPIRE_OVERHEAD : 0);
}

/** "1.50M"-style rendering of a byte count, as INFO's *_human fields. */
export function humanBytes(n: number): string {
  const units = ["B", "K", "M", "G", "T"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n}B` : `${v.toFixed(2)}${units[i]}`;
}
