// Reply values produced by command handlers, before they are encoded for the
// wire. Handlers return data rather than bytes so that later features can
// reuse a reply (MULTI/EXEC collects them into an array, a RESP3 encoder can
// render the same value differently) without re-parsing anything.
//
// Text conventions:
//  - simple strings and errors are "byte strings": every char is one byte
//    (latin1). Messages that quote client-supplied bytes (unknown command
//    names, option names) are built with Buffer#toString("latin1") so they
//    round-trip exactly.
//  - bulk strings always carry raw bytes; use bulkText() to send UTF-8 text.

export type Reply =
  | { readonly kind: "simple"; readonly value: string }
  | { readonly kind: "error"; readonly value: string }
  | { readonly kind: "integer"; readonly value: number | bigint }
  | { readonly kind: "bulk"; readonly value: Uint8Array }
  | { readonly kind: "null-bulk" }
  | { readonly kind: "array"; readonly value: readonly Reply[] }
  | { readonly kind: "null-array" }
  // RESP3 types (https://redis.io/docs/latest/develop/reference/protocol-spec/#resp3-types).
  // Each has a RESP2 form, so handlers return them whatever the client's protocol:
  /** A map: RESP3 "%<pairs>", RESP2 a flat array key, value, key, value, … (HGETALL, CONFIG GET, HELLO). */
  | { readonly kind: "map"; readonly value: readonly (readonly [Reply, Reply])[] }
  /** A set: RESP3 "~<n>", RESP2 an array (SMEMBERS, SINTER, SUNION, SDIFF). */
  | { readonly kind: "set"; readonly value: readonly Reply[] }
  /** A double: RESP3 ",<text>", RESP2 a bulk string of the same text (ZSCORE). */
  | { readonly kind: "double"; readonly value: number }
  /** Pairs (ZRANGE … WITHSCORES): RESP3 an array of two-element arrays, RESP2 one flat array. */
  | { readonly kind: "pairs"; readonly value: readonly (readonly [Reply, Reply])[] }
  /** Out-of-band data (pub/sub): RESP3 ">" push, RESP2 an array. */
  | { readonly kind: "push"; readonly value: readonly Reply[] }
  /** Text for humans (INFO): RESP3 "=<len>\r\ntxt:<text>", RESP2 a bulk string. */
  | { readonly kind: "verbatim"; readonly value: Uint8Array }
  /** Several replies sent back to back for one command (SUBSCRIBE a b c). */
  | { readonly kind: "many"; readonly value: readonly Reply[] }
  /** Bytes sent as they are (replication: the RDB payload and the command stream). */
  | { readonly kind: "raw"; readonly value: Uint8Array }
  /** Nothing is sent (a blocked client's reply comes later; commands from a master get no reply). */
  | { readonly kind: "none" };

export function simple(value: string): Reply {
  return { kind: "simple", value };
}

/** An error reply. `message` includes its code prefix, e.g. "ERR syntax error". */
export function error(message: string): Reply {
  return { kind: "error", value: message };
}

export function integer(value: number | bigint): Reply {
  return { kind: "integer", value };
}

export function bulk(value: Uint8Array): Reply {
  return { kind: "bulk", value };
}

/** A bulk string holding `text` encoded as UTF-8. */
export function bulkText(text: string): Reply {
  return { kind: "bulk", value: Buffer.from(text, "utf8") };
}

/** A bulk string holding a byte string (one char per byte), e.g. a key. */
export function bulkBinary(bytes: string): Reply {
  return { kind: "bulk", value: Buffer.from(bytes, "latin1") };
}

export function array(items: readonly Reply[]): Reply {
  return { kind: "array", value: items };
}

export function map(pairs: readonly (readonly [Reply, Reply])[]): Reply {
  return { kind: "map", value: pairs };
}

export function set(items: readonly Reply[]): Reply {
  return { kind: "set", value: items };
}

export function double(value: number): Reply {
  return { kind: "double", value };
}

export function pairs(items: readonly (readonly [Reply, Reply])[]): Reply {
  return { kind: "pairs", value: items };
}

export function push(items: readonly Reply[]): Reply {
  return { kind: "push", value: items };
}

/** A verbatim string of format "txt". */
export function verbatim(text: Uint8Array): Reply {
  return { kind: "verbatim", value: text };
}

export const OK: Reply = simple("OK");
export const PONG: Reply = simple("PONG");
export const NULL_BULK: Reply = { kind: "null-bulk" };
export const NULL_ARRAY: Reply = { kind: "null-array" };
export const ZERO: Reply = integer(0);
export const ONE: Reply = integer(1);

export const NO_REPLY: Reply = { kind: "none" };

/** Several replies, sent back to back, for one command. */
export function many(replies: readonly Reply[]): Reply {
  return { kind: "many", value: replies };
}

/** Bytes sent as they are, not a RESP value of their own. */
export function raw(bytes: Uint8Array): Reply {
  return { kind: "raw", value: bytes };
}
