// Error replies, worded exactly as Redis 7.0 words them.
// All strings here are byte strings (one char per byte, see text.ts).

import { error, type Reply } from "./reply.ts";
import { asciiUpper, cString } from "./text.ts";

export const ERR_SYNTAX = error("ERR syntax error");
export const ERR_NOT_INTEGER = error("ERR value is not an integer or out of range");
export const ERR_OVERFLOW = error("ERR increment or decrement would overflow");
export const ERR_DECREMENT_OVERFLOW = error("ERR decrement would overflow");
export const ERR_WRONGTYPE = error(
  "WRONGTYPE Operation against a key holding the wrong kind of value",
);
export const ERR_DB_INDEX = error("ERR DB index is out of range");
export const ERR_STRING_TOO_LONG = error(
  "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
);

/**
 * An error whose text may quote client bytes. Like Redis's
 * addReplyErrorFormat, CR and LF become spaces so the reply stays one line.
 */
export function formattedError(message: string): Reply {
  return error(message.replace(/[\r\n]/g, " "));
}

/** `name` is the command's full lowercase name, e.g. "get" or "config|get". */
export function arityError(name: string): Reply {
  return error(`ERR wrong number of arguments for '${name}' command`);
}

export function invalidExpireTime(name: string): Reply {
  return error(`ERR invalid expire time in '${name}' command`);
}

export function rangeError(min: number | bigint, max: number | bigint): Reply {
  // sic: Redis 7.0 says "value must between".
  return error(`ERR value is out of range, value must between ${min} and ${max}`);
}

/** Redis quotes at most this many bytes of client input in these errors. */
const QUOTE_LIMIT = 128;

export function unknownCommand(argv: readonly Uint8Array[]): Reply {
  let args = "";
  for (let i = 1; i < argv.length && args.length < QUOTE_LIMIT; i++) {
    args += `'${cString(argv[i]!, QUOTE_LIMIT - args.length)}' `;
  }
  const name = cString(argv[0]!, QUOTE_LIMIT);
  return formattedError(`ERR unknown command '${name}', with args beginning with: ${args}`);
}

export function unknownSubcommand(argv: readonly Uint8Array[]): Reply {
  const container = asciiUpper(cString(argv[0]!));
  const sub = cString(argv[1]!, QUOTE_LIMIT);
  return formattedError(`ERR unknown subcommand '${sub}'. Try ${container} HELP.`);
}
