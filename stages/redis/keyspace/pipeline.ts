// A RESP connection for stages that send many commands (SCAN loops, filling
// memory): pipelined batches and INFO fields, read back as plain values.
// Used by the keyspace and eviction stages.
import { RespConnection } from "../../../challenges/redis/clients/redis.ts";
import { showReply, type RespValue } from "../../../challenges/redis/clients/resp.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";

export type Command = readonly string[];

/** A reply as a plain value: string (simple/bulk/double), bigint, null, Error for errors, arrays (a map flattened). */
export type Plain = string | bigint | null | Error | Plain[];

export function plain(v: RespValue): Plain {
  switch (v.type) {
    case "simple":
      return v.value;
    case "error":
      return new Error(v.value);
    case "integer":
      return v.value;
    case "bulk":
      return v.value === null ? null : v.value.toString("latin1");
    case "array":
      return v.value === null ? null : v.value.map(plain);
    // RESP3 (a connection after HELLO 3):
    case "null":
      return null;
    case "boolean":
      return v.value ? 1n : 0n;
    case "double":
    case "bignum":
      return v.value;
    case "verbatim":
      return v.value.toString("latin1");
    case "map":
      return v.value.flatMap(([k, item]) => [plain(k), plain(item)]);
    case "set":
    case "push":
      return v.value.map(plain);
  }
}

export class Pipeline {
  private constructor(
    private readonly t: CaseContext,
    readonly conn: RespConnection,
  ) {}

  static async open(t: CaseContext, program: Program, name = "client"): Promise<Pipeline> {
    return new Pipeline(t, await RespConnection.open(t, program, name));
  }

  /** Sends every command at once, then reads one reply per command. */
  async run(commands: readonly Command[]): Promise<Plain[]> {
    if (commands.length === 0) return [];
    await this.conn.send(commands.map((c) => encode(c)).join(""));
    const out: Plain[] = [];
    for (const c of commands) {
      const { value } = await this.conn.reply(5000, { message: `waiting for the reply to ${c.join(" ").slice(0, 80)}` });
      out.push(plain(value));
    }
    return out;
  }

  /** One command; fails the case if the reply is an error (unless `allowError`). */
  async call(command: Command, allowError = false): Promise<Plain> {
    const [reply] = await this.run([command]);
    if (reply instanceof Error && !allowError) {
      this.t.fail({ message: `${command.join(" ")} replied with an error.`, received: reply.message });
    }
    return reply!;
  }

  /** INFO <section> parsed into field -> value. */
  async info(section: string): Promise<Map<string, string>> {
    const text = await this.call(["INFO", section]);
    const fields = new Map<string, string>();
    for (const line of String(text).split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0 && !line.startsWith("#")) fields.set(line.slice(0, colon), line.slice(colon + 1));
    }
    return fields;
  }

  /** A numeric INFO field; fails the case if it is missing. */
  async infoNumber(section: string, field: string, hint?: string): Promise<number> {
    const value = (await this.info(section)).get(field);
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n)) {
      this.t.fail({
        message: `INFO ${section} should have a line "${field}:<number>".`,
        received: value === undefined ? "no such line" : `${field}:${value}`,
        hint: hint ?? `Add ${field} to the # ${section[0]!.toUpperCase()}${section.slice(1)} section of INFO, as "${field}:<value>\\r\\n".`,
      });
    }
    return n;
  }
}

function encode(command: Command): string {
  return `*${command.length}\r\n${command.map((a) => `$${Buffer.byteLength(a, "latin1")}\r\n${a}\r\n`).join("")}`;
}

/** How redis-cli would show a reply, for failure messages. */
export function show(p: Plain): string {
  if (p instanceof Error) return `(error) ${p.message}`;
  if (p === null) return "(nil)";
  if (typeof p === "bigint") return `(integer) ${p}`;
  if (Array.isArray(p)) return `[${p.map(show).join(", ")}]`;
  return JSON.stringify(p);
}

export { showReply };
