import { availableParallelism } from "node:os";
import { userArgv } from "../cmdline.ts";

/**
 * Runs the slow part of a file's tests (a child `bun test` each) a few at a
 * time, ahead of the test that reports it, so both cores work while bun runs
 * the tests themselves one after another.
 *
 * When test k asks for its result, jobs k and the next width-1 jobs that the
 * run will reach are started; so at most `width` children run at once, and a
 * test waits only for its own job (never for a queue), keeping each test's
 * time limit meaningful. Jobs whose tests a `-t <pattern>` filters out are
 * never started.
 */
export class Ahead<T> {
  private readonly started = new Map<number, Promise<Settled<T>>>();
  private readonly selected: boolean[];

  constructor(
    private readonly jobs: readonly { name: string; run: () => Promise<T> }[],
    private readonly width = defaultWidth(),
  ) {
    const pattern = testNamePattern();
    this.selected = jobs.map((j) => pattern === undefined || pattern.test(j.name));
  }

  /** The result of job `index`; resolves or rejects as its job did. */
  async result(index: number): Promise<T> {
    this.start(index);
    let ahead = 0;
    for (let k = index + 1; k < this.jobs.length && ahead < this.width - 1; k++) {
      if (!this.selected[k]) continue;
      this.start(k);
      ahead++;
    }
    const settled = await this.started.get(index)!;
    if (!settled.ok) throw settled.error;
    return settled.value;
  }

  private start(index: number): void {
    if (this.started.has(index)) return;
    this.started.set(
      index,
      this.jobs[index]!.run().then(
        (value): Settled<T> => ({ ok: true, value }),
        (error: unknown): Settled<T> => ({ ok: false, error }),
      ),
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
