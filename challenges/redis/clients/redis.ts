/**
 * Redis clients for stage tests: redis-cli (the real client, as a learner
 * would run it) and a raw RESP connection for what redis-cli hides (framing,
 * pipelining, split writes, byte-exact replies).
 */
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";
import { StageFailure } from "../../../harness/report/failure.ts";
import { caret, visible } from "../../../harness/report/show.ts";
import { encodeCommand, parseReply, showReply, type RespValue } from "./resp.ts";
import { TcpConnection } from "../../../harness/clients/tcp.ts";

export const REDIS_TOOLS = "redis-tools";

/** redis-cli's output for an answer that means "ask again shortly": the dataset is loading (LOADING), a replica has no master link (MASTERDOWN). */
const NOT_READY = /^\(error\) (LOADING|MASTERDOWN)\b/;

export interface Expectation {
  /** What the learner should check when this fails. */
  hint?: string;
  /** One sentence saying what was being checked. */
  message?: string;
}

/** One row of a table of checks: the command, what redis-cli prints, and a hint for when it does not. */
export type Step = readonly [args: readonly string[], expected: string, hint?: string];

/** redis-cli bound to one program. Output is redis-cli's terminal format (--no-raw): `OK`, `"bar"`, `(nil)`, `(integer) 1`, `(error) ERR …`. */
export class RedisCli {
  constructor(
    private readonly t: CaseContext,
    private readonly program: Program,
    /** 3: run `redis-cli -3` (it sends HELLO 3 first and shows RESP3 types: `1# "f" => "v"`, `(double) 1.5`). */
    private readonly protocol: 2 | 3 = 2,
  ) {}

  argv(args: readonly string[]): string[] {
    return ["redis-cli", ...(this.protocol === 3 ? ["-3"] : []), "-p", String(this.program.port), "--no-raw", ...args];
  }

  /**
   * Runs one command; returns what redis-cli printed, without the final newline.
   * A "not ready yet" error (LOADING while the dataset loads after a start,
   * MASTERDOWN while a replica has no link to its master) is retried, as a
   * real client does, until the answer is another one or the case runs out of time.
   */
  async run(args: readonly string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const r = await this.t.client(REDIS_TOOLS, this.argv(args), opts);
      const out = r.output.replace(/\n$/, "");
      if (!NOT_READY.test(out) || this.t.signal.aborted) return out;
      if (attempt === 0) this.t.log.note("a \"not ready yet\" answer: retrying until it is another one, as a real client does");
      await Bun.sleep(Math.min(20 * 2 ** attempt, 200));
    }
  }

  /** Runs one command and fails unless redis-cli printed exactly `expected`. */
  async expect(args: readonly string[], expected: string, e: Expectation = {}): Promise<string> {
    const got = await this.run(args);
    if (got !== expected) {
      throw new StageFailure({
        message: e.message ?? `Unexpected reply to ${args.map((a) => (a.includes(" ") ? JSON.stringify(a) : a)).join(" ")}.`,
        expected,
        received: got,
        hint: e.hint ?? hintFor(expected, got),
      });
    }
    return got;
  }

  /** Runs each step in order: [command, expected redis-cli output, hint?]. For checks that read best as a table. */
  async steps(table: readonly Step[]): Promise<void> {
    for (const [args, expected, hint] of table) await this.expect(args, expected, hint === undefined ? {} : { hint });
  }

  /** Runs one command and fails unless `check` accepts the output. */
  async expectThat(args: readonly string[], check: (out: string) => boolean, e: Expectation & { expected: string }): Promise<string> {
    const got = await this.run(args);
    if (!check(got)) throw new StageFailure({ message: e.message ?? `Unexpected reply to ${args.join(" ")}.`, expected: e.expected, received: got, hint: e.hint });
    return got;
  }
}

/** Generic hints from the shape of a wrong reply. */
function hintFor(expected: string, got: string): string | undefined {
  if (got.startsWith("Could not connect") || got.includes("Connection refused")) return "redis-cli could not connect: did your program stop listening, or crash on an earlier command?";
  if (got.includes("Server closed the connection") || got.includes("Connection reset")) return "Your program closed the connection instead of replying: keep each connection open and answer every command on it.";
  if (expected === "(nil)" && got === '""') return 'A missing key is the null bulk string "$-1\\r\\n", not an empty bulk string "$0\\r\\n\\r\\n".';
  if (/^"/.test(expected) && !/^"/.test(got) && got === expected.slice(1, -1)) return `redis-cli shows bulk strings in quotes and simple strings without: reply with a bulk string ($<length>\\r\\n<bytes>\\r\\n), not a simple string (+…).`;
  if (!/^"/.test(expected) && /^"/.test(got) && got.slice(1, -1) === expected) return `redis-cli shows simple strings without quotes: reply with "+${expected}\\r\\n", not a bulk string.`;
  if (expected.startsWith("(integer)") && !got.startsWith("(integer)")) return "This command replies with a RESP integer: \":<number>\\r\\n\".";
  if (expected.startsWith("(error)") && !got.startsWith("(error)")) return "Errors are replied as \"-<message>\\r\\n\".";
  return undefined;
}

/** A raw RESP connection: send exact bytes, read whole replies, compare bytes. */
export class RespConnection {
  /** Read RESP3 replies (after this connection sent HELLO 3); RESP3's type bytes are invalid otherwise. */
  resp3 = false;

  private constructor(private readonly conn: TcpConnection) {}

  static async open(t: CaseContext, program: Program, name = "connection"): Promise<RespConnection> {
    const conn = await TcpConnection.open({ host: program.host, port: program.port, log: t.log, name });
    t.defer(() => conn.close());
    return new RespConnection(conn);
  }

  /** Speaks RESP on a connection the test accepted (TcpListener), e.g. as a fake master. */
  static wrap(conn: TcpConnection): RespConnection {
    return new RespConnection(conn);
  }

  get tcp(): TcpConnection {
    return this.conn;
  }

  /** Sends a command as a RESP array of bulk strings. */
  async command(...args: (string | Uint8Array)[]): Promise<void> {
    await this.conn.send(encodeCommand(args));
  }

  async send(data: string | Uint8Array | (string | Uint8Array)[], pauseMs?: number): Promise<void> {
    await this.conn.send(data, pauseMs);
  }

  /**
   * Reads one whole reply (bounded wait); fails with a caret at the first byte
   * that breaks RESP. `e` says what the reply was for, and is kept in the report.
   */
  async reply(timeoutMs = 3000, e: Expectation = {}): Promise<{ value: RespValue; raw: Buffer }> {
    const opts = { resp3: this.resp3 };
    const ok = await this.conn.waitFor((buf) => parseReply(buf, opts).kind !== "incomplete", timeoutMs);
    const outcome = parseReply(this.conn.pending, opts);
    const lead = e.message ? `${e.message}\n` : "";
    if (outcome.kind === "invalid") {
      const bytes = this.conn.pending;
      throw new StageFailure({
        message: `${lead}${this.conn.name}: your program's reply is not valid RESP: ${outcome.problem}.`,
        detail: caret(bytes, outcome.offset),
        hint: e.hint ?? (this.resp3 ? "Every RESP3 reply starts with a type byte (+ - : $ * _ # , ( = % ~ >) and every line ends with \\r\\n." : "Every RESP reply starts with a type byte (+ - : $ *) and every line ends with \\r\\n."),
      });
    }
    if (outcome.kind === "incomplete" || !ok) {
      const got = this.conn.pending;
      const state = this.conn.closed ? "your program closed the connection" : `nothing complete arrived within ${timeoutMs / 1000} s`;
      throw new StageFailure({
        message: `${lead}${this.conn.name}: expected a reply, but ${state}.`,
        detail: got.length > 0 ? `received so far: ${visible(got)}` : "received nothing",
        hint: this.conn.closed
          ? "Keep the connection open after replying: clients send many commands on one connection."
          : (e.hint ?? "Make sure your program replies to every command, and that the reply ends with \\r\\n."),
      });
    }
    const raw = this.conn.take(outcome.end);
    return { value: outcome.value, raw };
  }

  /** Reads one reply and fails unless its bytes are exactly `expected`. */
  async expectReply(expected: string | Uint8Array, e: Expectation = {}): Promise<void> {
    const want = typeof expected === "string" ? Buffer.from(expected, "latin1") : Buffer.from(expected);
    const { raw, value } = await this.reply(3000, e);
    if (!raw.equals(want)) {
      throw new StageFailure({
        message: e.message ?? `${this.conn.name}: unexpected reply.`,
        expected: visible(want),
        received: visible(raw),
        detail: `(as redis-cli would show it: ${showReply(value)})`,
        hint: e.hint,
      });
    }
  }

  close(): void {
    this.conn.close();
  }
}

/** Shortcut used by stage files; `protocol` 3 runs `redis-cli -3`. */
export function redisCli(t: CaseContext, program: Program, protocol: 2 | 3 = 2): RedisCli {
  return new RedisCli(t, program, protocol);
}
