// Writes that set a relative expiry are propagated (to the AOF and to
// replicas) with the absolute deadline the command set, as Redis 7 does.

import type { ServerState } from "./state.ts";
import { asciiLower, byteString } from "./text.ts";

const EXPIRE_OPTIONS = new Set(["ex", "px", "exat", "pxat"]);

/**
 * Relative expiry times become absolute when propagated, as Redis 7 does
 * them: SET … EX/PX/EXAT and SETEX/PSETEX as `SET key value PXAT <ms>`,
 * EXPIRE/PEXPIRE/EXPIREAT and GETEX … EX/PX/EXAT/PXAT as
 * `PEXPIREAT key <ms>`, GETEX … PERSIST as `PERSIST key`. Otherwise a key
 * would get its whole time to live again at every restart. The deadline is
 * the one the command just set on the key.
 */
export function absoluteExpiry(state: ServerState, db: number, argv: readonly Buffer[]): readonly Buffer[] {
  if (argv.length < 3) return argv;
  const name = asciiLower(byteString(argv[0]!));
  const key = argv[1]!;
  const deadline = state.databases[db]?.getExpire(byteString(key));
  const at = () => Buffer.from(String(deadline));
  const opts = argv.slice(2).map((a) => asciiLower(byteString(a)));
  switch (name) {
    case "set":
      if (deadline === undefined || !opts.some((o) => EXPIRE_OPTIONS.has(o))) return argv;
      return [Buffer.from("SET"), key, argv[2]!, Buffer.from("PXAT"), at()];
    case "setex":
    case "psetex":
      if (deadline === undefined || argv.length < 4) return argv;
      return [Buffer.from("SET"), key, argv[3]!, Buffer.from("PXAT"), at()];
    case "expire":
    case "pexpire":
    case "expireat":
      if (deadline === undefined) return argv;
      return [Buffer.from("PEXPIREAT"), key, at()];
    case "getex":
      if (opts.includes("persist")) return [Buffer.from("PERSIST"), key];
      if (deadline === undefined || !opts.some((o) => EXPIRE_OPTIONS.has(o))) return argv;
      return [Buffer.from("PEXPIREAT"), key, at()];
  }
  return argv;
}

