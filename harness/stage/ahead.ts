import { readFileSync } from "node:fs";
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
 *
 * A job spends much of its time waiting (on a program's reply, a time limit,
 * a sleep in a case), so `width` jobs do not keep `width` cores busy. The pool
 * therefore watches the machine's processors: after a second in which they
 * were more than half idle it runs one more job at once, up to `most`; after
 * one in which they were nearly all busy (under 15% idle) one fewer, down to
 * `width`. On a machine busy with other work the pool stays at `width`;
 * SYSCRAFT_JOBS fixes it.
 */
export class Ahead<T> {
  private readonly started = new Map<number, Promise<Settled<T>>>();
  private readonly selected: boolean[];
  private running = 0;
  /** Every selected job below this index has been started. */
  private next = 0;
  /** How many jobs may run at once now: between `width` and `most`. */
  private target: number;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly jobs: readonly { name: string; run: () => Promise<T> }[],
    private readonly width = defaultWidth(),
    private readonly most = process.env.SYSCRAFT_JOBS ? width : 2 * width,
    private readonly idle: () => number | undefined = cpuIdleSince(),
    private readonly sampleMs = 1000,
  ) {
    this.target = width;
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

  /** Starts the next jobs in order while fewer than `target` run; while jobs are left, watches the processors. */
  private fill(): void {
    while (this.running < this.target && this.next < this.jobs.length) {
      const k = this.next++;
      if (this.selected[k]) this.start(k);
    }
    if (this.most > this.width && this.timer === undefined && this.next < this.jobs.length) {
      this.idle();
      this.timer = setInterval(() => this.adjust(), this.sampleMs);
      this.timer.unref();
    }
  }

  /** One more job at once after an idle sample, one fewer after a busy one; stops watching when no job is left to start. */
  private adjust(): void {
    if (this.next >= this.jobs.length) {
      clearInterval(this.timer);
      return;
    }
    const idle = this.idle();
    if (idle === undefined) return;
    if (idle > 0.5) this.target = Math.min(this.most, this.target + 1);
    else if (idle < 0.15) this.target = Math.max(this.width, this.target - 1);
    this.fill();
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

/**
 * SYSCRAFT_JOBS, else the number of cores (at least 1), shared out when a
 * `bun test --parallel=N` runs more workers than there are cores (each
 * worker's file has a pool of its own): cores × cores / N, so that the
 * workers' pools together start at about as many runs as with one worker per core.
 */
export function defaultWidth(): number {
  const fromEnv = Number(process.env.SYSCRAFT_JOBS);
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return fromEnv;
  return widthFor(availableParallelism(), parallelWorkers());
}

/** A file's pool width on `cores` cores with `workers` --parallel workers (undefined: one per core, or no --parallel). */
export function widthFor(cores: number, workers: number | undefined): number {
  const n = Math.max(1, cores);
  return workers !== undefined && workers > n ? Math.max(1, Math.round((n * n) / workers)) : n;
}

/** The N of the run's `--parallel=N` (a worker reads its coordinator's command line); undefined without a number. */
function parallelWorkers(): number | undefined {
  const flag = userArgv().find((a) => a.startsWith("--parallel="));
  const n = flag === undefined ? NaN : Number(flag.slice("--parallel=".length));
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

/** A probe of the fraction of time the machine's processors were idle since its last call (from /proc/stat; undefined elsewhere). */
export function cpuIdleSince(): () => number | undefined {
  let last: { idle: number; total: number } | undefined;
  return () => {
    let now: { idle: number; total: number };
    try {
      const ticks = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
      now = { idle: ticks[3]! + (ticks[4] ?? 0), total: ticks.reduce((a, b) => a + b, 0) };
    } catch {
      return undefined;
    }
    const before = last;
    last = now;
    if (!before || now.total <= before.total) return undefined;
    return (now.idle - before.idle) / (now.total - before.total);
  };
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
