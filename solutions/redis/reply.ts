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
