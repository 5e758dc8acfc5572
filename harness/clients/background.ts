/**
 * A real client that runs in the background for the length of a case (a
 * `redis-cli SUBSCRIBE` subscriber, a `tail -f`…): started in its own process
 * group through the harness's process layer (GroupProcess, tracked by the
 * reaper), its stdout and stderr captured together, and its group stopped
 * (SIGTERM, then SIGKILL) when the case ends, whatever the outcome.
 *
 * The transcript shows it as a `$ … &` line the learner can re-run, and what
 * it printed each time the test looked at its output.
 *
 * Output buffering: redis-cli flushes stdout after every reply it prints in
 * subscribe mode, so a subscriber's lines arrive as the messages do even
 * though stdout is a pipe here, not a terminal (checked with redis-cli 7.0:
 * no `stdbuf` needed). A client that block-buffers when stdout is not a TTY
 * can be started as `["stdbuf", "-oL", ...argv]`.
 */
import { GroupProcess } from "../process/spawn.ts";
import { StageFailure } from "../report/failure.ts";
import { shellLine } from "../report/show.ts";
import type { CaseContext } from "../stage/context.ts";
import { requireBinary } from "./require.ts";

export interface BackgroundOptions {
  /** Text the transcript shows instead of the argv. */
  display?: string;
  /** How the client is named in messages (default: its command line). */
  name?: string;
  cwd?: string;
  env?: Record<string, string | undefined>;
}

/** What to wait for in the output: a substring, a pattern, or a test of the whole output. */
export type OutputCondition = string | RegExp | ((output: string) => boolean);

export interface WaitExpectation {
  /** One sentence saying what was awaited. */
  message?: string;
  hint?: string;
  /** What the output should contain, for the report (default: the awaited text itself). */
  expected?: string;
}

const POLL_MS = 10;

export class BackgroundClient {
  /** How much of the output the transcript has shown already. */
  private shown = 0;

  constructor(
    private readonly t: CaseContext,
    private readonly proc: GroupProcess,
    readonly name: string,
    readonly display: string,
  ) {}

  /** Everything it printed so far (stdout and stderr, as they came). */
  output(): string {
    return this.proc.output.text();
  }

  /** Exit code, or null while it runs. */
  get exitCode(): number | null {
    return this.proc.exitCode;
  }

  get pid(): number {
    return this.proc.pid;
  }

  /**
   * Waits until the output satisfies `condition`, at most `timeoutMs` (and
   * never past the case's own time limit); returns the output. Fails with
   * what was printed if the time runs out or the client exits first.
   */
  async waitForOutput(condition: OutputCondition, timeoutMs = 3000, e: WaitExpectation = {}): Promise<string> {
    const test = toPredicate(condition);
    const deadline = Date.now() + timeoutMs;
    let out = this.output();
    while (!test(out)) {
      const exited = this.exitCode !== null;
      if (exited || Date.now() >= deadline || this.t.signal.aborted) {
        this.logNew();
        const why = exited ? `it exited (code ${this.exitCode}) first` : `it did not within ${timeoutMs / 1000} s`;
        throw new StageFailure({
          message: `${e.message ?? `Waiting for the background client to print the expected output.`}\nThe background client (${this.name}) should have printed it, but ${why}.`,
          expected: e.expected ?? describe(condition),
          received: out === "" ? "(no output)" : out.replace(/\n$/, ""),
          hint: e.hint,
        });
      }
      await Bun.sleep(POLL_MS);
      out = this.output();
    }
    this.logNew();
    return out;
  }

  /** Adds what it printed since last shown to the transcript. */
  private logNew(): void {
    const out = this.output();
    if (out.length <= this.shown) return;
    this.t.log.note(`the background client (${this.display}) printed:`);
    this.t.log.output(out.slice(this.shown));
    this.shown = out.length;
  }

  /** Stops its whole process group (SIGTERM, then SIGKILL after `graceMs`). Safe to call twice. */
  async stop(graceMs = 500): Promise<void> {
    await this.proc.stop(graceMs);
  }
}

function toPredicate(c: OutputCondition): (out: string) => boolean {
  if (typeof c === "string") return (out) => out.includes(c);
  if (c instanceof RegExp) return (out) => c.test(out);
  return c;
}

function describe(c: OutputCondition): string {
  if (typeof c === "string") return c.replace(/\n$/, "");
  if (c instanceof RegExp) return `output matching ${c}`;
  return "(see the message)";
}

/**
 * Starts `argv` (a real client from package `pkg`) in the background for the
 * rest of the case; it is stopped when the case ends.
 */
export function startBackground(t: CaseContext, pkg: string, argv: string[], opts: BackgroundOptions = {}): BackgroundClient {
  requireBinary(argv[0]!, pkg);
  const display = opts.display ?? shellLine(argv);
  t.log.command(`${display} &`);
  const proc = new GroupProcess(argv, { cwd: opts.cwd ?? t.dir, env: opts.env });
  const client = new BackgroundClient(t, proc, opts.name ?? display, display);
  t.defer(() => client.stop());
  return client;
}
