import { availableParallelism } from "node:os";
import { userArgv } from "../cmdline.ts";

/**
 * Runs the slow part of a file's tests (a child `bun test` each) `width` at a
 * time, ahead of the tests that report them, so every core works while bun
 * runs the tests themselves one after another.
 *
 * The first test that asks for its result starts a pool: jobs start in the
 * order of their tests, and whenever one ends the next starts, so `width`
 * children run at once until none is left (a test waits only for its own job,
 * which started before or when the test did: its time limit stays
 * meaningful). Jobs whose tests a `-t <pattern>` filters out are never started.
 */
export class Ahead<T> {
  private readonly started = new Map<number, Promise<Settled<T>>>();
  private readonly selected: boolean[];
  private running = 0;
  /** Every selected job below this index has been started. */
  private next = 0;

  constructor(
    private readonly jobs: readonly { name: string; run: () => Promise<T> }[],
    private readonly width = defaultWidth(),
  ) {
    const pattern = testNamePattern();
    this.selected = jobs.map((j) => pattern === undefined || pattern.test(j.name));
  }

  /** The result of job `index`; resolves or rejects as its job did. */
  async result(index: number): Promise<T> {
    this.next = Math.max(this.next, index);
    this.start(index);
    this.fill();
    const settled = await this.started.get(index)!;
    if (!settled.ok) throw settled.error;
    return settled.value;
  }

  /** Starts the next jobs in order while fewer than `width` run. */
  private fill(): void {
    while (this.running < this.width && this.next < this.jobs.length) {
      const k = this.next++;
      if (this.selected[k]) this.start(k);
    }
  }

  private start(index: number): void {
    if (this.started.has(index)) return;
    this.running++;
    this.started.set(
      index,
      this.jobs[index]!.run().then(
        (value): Settled<T> => ({ ok: true, value }),
        (error: unknown): Settled<T> => ({ ok: false, error }),
      ).finally(() => {
        this.running--;
        this.fill();
      }),
    );
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** SYSCRAFT_JOBS, else the number of cores (at least 1). */
export function defaultWidth(): number {
  const fromEnv = Number(process.env.SYSCRAFT_JOBS);
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return fromEnv;
  return Math.max(1, availableParallelism());
}

/** bun test's `-t` / `--test-name-pattern`, as a regular expression, if given. */
function testNamePattern(): RegExp | undefined {
  const argv = userArgv();
  let source: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-t" || a === "--test-name-pattern") source = argv[i + 1];
    else if (a.startsWith("--test-name-pattern=")) source = a.slice("--test-name-pattern=".length);
  }
  if (source === undefined) return undefined;
  try {
    return new RegExp(source);
  } catch {
    return undefined;
  }
}
