// Small helpers shared by command handlers.

import type { Keyspace } from "../keyspace.ts";
import { byteString } from "../text.ts";

/** Marks a key that exists but holds another type (reply WRONGTYPE). */
export const WRONG_TYPE = Symbol("wrong type");

/** The map key for a key argument (binary-safe byte string). */
export function keyOf(arg: Uint8Array): string {
  return byteString(arg);
}

/** The string stored at `key`, null if there is none, WRONG_TYPE for another type. */
export function lookupString(db: Keyspace, key: string): Buffer | null | typeof WRONG_TYPE {
  const value = db.get(key);
  if (value === undefined) return null;
  if (value.type !== "string") return WRONG_TYPE;
  return value.data;
}
