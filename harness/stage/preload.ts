/**
 * Loaded by bun before any test file (bunfig.toml [test] preload), in every
 * `bun test` run from the checkout. In the learner's own process (not in a
 * --parallel worker, not in the inner run of a stage selection) it:
 *   - stops at once on a flag neither bun nor syscraft knows (bun would drop it), naming the closest one;
 *   - stops on a bad selection or a bad syscraft.local.yaml, in one line naming file, line and field;
 *   - prints, first, which program the run tests and where that came from;
 *   - for a stage selection, runs the selected stages itself (harness/stage/stage-run.ts) and exits,
 *     so bun never loads the other test files.
 */
import { challengeSlugs, loadChallenge, stageTestFile } from "../challenge/load.ts";
import { stageName } from "../challenge/stages.ts";
import { bunFlags } from "../bun-flags.ts";
import { closest } from "../closest.ts";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { flagProblem, harnessOptions, isTestWorker, parentPid, splitArgs, testArgs, userArgv } from "../cmdline.ts";
import { ROOT, STATE_DIR } from "../paths.ts";
import { configFile, configuredImpls, implOrigin, programProblem, resolveImpl, type Impl } from "../impl.ts";
import { say } from "../report/say.ts";
import { currentSelection, resolveSelection, runnableStages, type SelectedStage } from "./selection.ts";
import { runStages } from "./stage-run.ts";

/** The learner's flags that are bun's own (with their values), to pass on to the inner run; and the positional words. */
function bunArgsOf(args: readonly string[]): { bunArgs: string[]; positional: string[] } {
  const words = splitArgs(args, bunFlags());
  const bunArgs = words.flatMap((w) => (w.kind === "flag" && !w.syscraft && w.name !== "seed" ? w.words : []));
  return { bunArgs, positional: words.filter((w) => w.kind === "positional").map((w) => w.arg) };
}

/** The first line of a stage run: the program, where it came from, and the stages. */
export function stageRunHeadline(impl: Impl, stages: SelectedStage[], name: (s: SelectedStage) => string): string {
  const regression = stages.filter((s) => s.regression).length;
  const main = stages.filter((s) => !s.regression).map(name);
  const what = main.length <= 3 ? main.join(", ") : `${main[0]} … ${main.at(-1)} (${main.length} stages)`;
  return `syscraft: testing ${impl.command} (${implOrigin(impl)}) on ${what}${regression > 0 ? `, then ${regression} regression stage${regression === 1 ? "" : "s"}` : ""}`;
}

/** The first line of a run without a selection (the whole suite, or test files named on the command line). */
function suiteHeadline(filters: string[]): string {
  // Without loading the challenges: a challenge.yaml being edited must not stop runs of other files.
  const o = harnessOptions();
  const scope = filters.length > 0 ? `the test files matching ${filters.join(" ")}; their stages test ` : "the whole suite: each stage tests ";
  const extra = filters.length > 0 ? "" : ", then the real implementations, the fixtures and the harness's own tests";
  if (o.real) return `syscraft: ${scope}its challenge's real implementation (--real)${extra}`;
  if (o.impl !== undefined) {
    if (o.impl.trim() === "") stop(`${o.implFrom ?? "--impl"} is empty: give the command that starts your program, e.g. --impl=./your_program.sh`);
    return `syscraft: ${scope}${o.impl} (from ${o.implFrom ?? "--impl"})${extra}`;
  }
  const file = configFile();
  const own = Object.entries(configuredImpls(file));
  if (own.length === 0) return `syscraft: ${scope}the reference solution of its challenge (no --impl, SYSCRAFT_IMPL or syscraft.local.yaml entry)${extra}`;
  return `syscraft: ${scope}${own.map(([slug, c]) => `${slug}: ${c.command} (from impl.${slug} in ${file} line ${c.line})`).join("; ")}; other challenges: their reference solutions${extra}`;
}

/**
 * Under `bun test --parallel` the preload runs in each worker, once per test
 * file, and never in the process the learner started (the coordinator):
 * true for the first call of the whole run only (a marker file named for the
 * coordinator, in .syscraft/runs/; markers of finished runs are swept).
 */
/** The marker of this --parallel run: a file named for the coordinator (its pid and start time) in .syscraft/runs/. */
function runMarker(): string | undefined {
  const coordinator = parentPid("self");
  return coordinator === undefined ? undefined : join(STATE_DIR, "runs", `${coordinator}-${startTime(coordinator)}`);
}

function startTime(pid: string | number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[19]!;
  } catch {
    return undefined;
  }
}

/**
 * Under `bun test --parallel` the preload runs in each worker, once per test
 * file, and never in the process the learner started (the coordinator):
 * true for the first call of the whole run only (it creates the run's
 * marker; markers of runs that are over are swept).
 */
function firstInParallelRun(): boolean {
  const marker = runMarker();
  if (marker === undefined) return true;
  try {
    mkdirSync(dirname(marker), { recursive: true });
    writeFileSync(marker, "", { flag: "wx" });
  } catch {
    return false;
  }
  for (const name of readdirSync(dirname(marker))) {
    const [pid, start] = name.split("-");
    if (startTime(pid!) !== start) rmSync(join(dirname(marker), name), { force: true });
  }
  return true;
}

const worker = isTestWorker();
const first = worker ? firstInParallelRun() : true;

/**
 * Stops the run on a mistake, in one line. A --parallel worker cannot end the
 * run by exiting (bun starts another for the next file) and its output
 * reaches the terminal through the coordinator: the first worker writes the
 * line to the coordinator's stderr and stops it; when that stderr cannot be
 * opened (a socket), it prints the line and exits, so that the coordinator
 * relays it, and the next worker stops the coordinator.
 */
function stop(message: string): never {
  const coordinator = worker ? parentPid("self") : undefined;
  if (coordinator === undefined) {
    say(`syscraft: ${message}`);
    process.exit(2);
  }
  const marker = runMarker()!;
  if (first) {
    try {
      if (!sharedWriteSafe(coordinator, 2)) throw new Error("relay it");
      appendFileSync(`/proc/${coordinator}/fd/2`, `syscraft: ${message}\n`);
    } catch {
      say(`syscraft: ${message}`);
      writeFileSync(marker, "said");
      process.exit(2);
    }
    process.kill(coordinator, "SIGTERM");
    process.exit(2);
  }
  // Not the first worker: wait (bounded) until the first has said it, then stop the run.
  for (let waited = 0; waited < 3000; waited += 50) {
    if (readFileSafe(marker) === "said") break;
    Bun.sleepSync(50);
  }
  Bun.sleepSync(100);
  process.kill(coordinator, "SIGTERM");
  process.exit(2);
}

/**
 * Whether writing to another process's descriptor through /proc keeps both
 * writers' output: a terminal or a pipe does; a regular file only when it was
 * opened for appending (`>>`), since `>` gives each opener its own offset
 * and the coordinator would write over the line.
 */
function sharedWriteSafe(pid: number, fd: number): boolean {
  try {
    if (!statSync(`/proc/${pid}/fd/${fd}`).isFile()) return true;
    const flags = /^flags:\s+([0-7]+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8"))?.[1];
    return flags !== undefined && (parseInt(flags, 8) & 0o2000) !== 0;
  } catch {
    return false;
  }
}

/**
 * The run's first line. A --parallel worker's output reaches the terminal
 * under the header of the file it is running; the first worker writes the
 * line to the coordinator's stdout instead, where bun's banner went, so it
 * comes right under it (or relays it, when that stdout cannot be opened).
 */
function sayFirst(line: string): void {
  const coordinator = worker ? parentPid("self") : undefined;
  if (coordinator !== undefined && sharedWriteSafe(coordinator, 1)) {
    try {
      appendFileSync(`/proc/${coordinator}/fd/1`, `${line}\n`);
      return;
    } catch {
      // a socket or a closed stderr: relayed like any output
    }
  }
  say(line);
}

function readFileSafe(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  (globalThis as { syscraftPreloaded?: boolean }).syscraftPreloaded = true;
  if (process.env.SYSCRAFT_INNER) return;
  const argv = userArgv();
  const args = testArgs(argv);
  const problem = flagProblem(args, bunFlags(), closest);
  if (problem) stop(problem);
  try {
    const selection = currentSelection();
    const { bunArgs, positional } = bunArgsOf(args);
    if (!selection) {
      if (first) sayFirst(suiteHeadline(positional));
      return;
    }
    if (worker) stop(`a stage run is one test file run in order: --parallel does not apply to it. Run: bun test ${args.filter((a) => !a.startsWith("--parallel")).join(" ")}`);
    const stray = positional.filter((p) => p !== harnessOptions().stage && p !== harnessOptions().stageOnly);
    if (stray.length > 0) stop(`${stray.join(" ")}: a stage run takes no file names; --stage chooses the tests, e.g. bun test --stage=${selection.text}`);
    const known = challengeSlugs();
    if (!known.includes(selection.challenge)) stop(`${selection.only ? "--stage-only" : "--stage"}=${selection.text}: no challenge named "${selection.challenge}" (did you mean ${closest(selection.challenge, known)}?); known: ${known.join(", ")}`);
    const challenge = loadChallenge(selection.challenge);
    const { run: stages, notRun } = runnableStages(resolveSelection(challenge, selection), harnessOptions().real);
    for (const { stage } of notRun) say(`syscraft: ${stageName(challenge, stage)} ${stage.name} is not run against the real implementation (real_differs in challenge.yaml): ${stage.realDiffers}`);
    if (!stages.some((s) => !s.regression)) {
      const earlier = notRun.find((s) => !s.regression)!.stage;
      stop(`${stageName(challenge, earlier)} does not run against the real implementation (real_differs: ${earlier.realDiffers})${stages.length > 0 ? `; its regression stages do: bun test --stage=${stageName(challenge, stages.at(-1)!.stage)} --real` : ""}`);
    }
    const unwritten = stages.find(({ stage }) => !existsSync(stageTestFile(challenge, stage)));
    if (unwritten) stop(`${stageName(challenge, unwritten.stage)} ${unwritten.stage.name}: its tests are not written yet (no ${relative(ROOT, stageTestFile(challenge, unwritten.stage))})`);
    const impl = resolveImpl(challenge);
    const unrunnable = programProblem(impl);
    if (unrunnable) stop(unrunnable);
    say(stageRunHeadline(impl, stages, (s) => `${stageName(challenge, s.stage)} ${s.stage.name}`));
    const code = await runStages({ selection, challenge, stages, impl, bunArgs });
    process.exit(code);
  } catch (e) {
    stop((e as Error).message);
  }
}

await main();
