/**
 * `bun test --stage=…` and `bun run grade` as a learner types them: what the
 * run prints first, how much it prints, and that mistakes on the command line
 * or in syscraft.local.yaml stop it instead of silently testing the reference.
 */
import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../paths.ts";
import { BunOutputFilter } from "../report/bun-output.ts";
import { HARNESS_LINE } from "../report/say.ts";
import { selfTests } from "../self-test.ts";

interface Run {
  code: number;
  out: string;
  lines: string[];
}

async function run(argv: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  // A learner's own syscraft.local.yaml in this checkout must not change what these runs test.
  const env: Record<string, string | undefined> = { ...process.env, SYSCRAFT_CONFIG: join(tmpdir(), "syscraft-no-such-config.yaml"), ...opts.env };
  for (const k of ["SYSCRAFT_STAGE", "SYSCRAFT_STAGE_ONLY", "SYSCRAFT_IMPL", "SYSCRAFT_RESULTS", "SYSCRAFT_INNER", "SYSCRAFT_REAL"]) if (!opts.env?.[k]) delete env[k];
  const proc = Bun.spawn(argv, { cwd: opts.cwd ?? ROOT, stdout: "pipe", stderr: "pipe", env });
  const timer = setTimeout(() => proc.kill("SIGTERM"), 60_000);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  const all = out + err;
  return { code, out: all, lines: all.replace(/\n$/, "").split("\n") };
}

const FIXTURE = "bun harness/fixtures/redis";

selfTests("a stage run as the learner types it", () => {
  test("an unknown flag stops the run before anything is tested (seen: --imlp ran the reference, 37 pass)", async () => {
    const r = await run(["bun", "test", "--stage=redis/10", "--imlp=./exits.sh"]);
    expect(r.code).toBe(2);
    expect(r.out).toContain("unknown flag --imlp=./exits.sh (did you mean --impl?)");
    expect(r.out).not.toMatch(/\d+ pass|✓/);
  }, 30_000);

  test("under --parallel (the preload runs in each worker, per file): the first line once, under bun's banner, and an unknown flag still stops the run", async () => {
    const ok = await run(["bun", "test", "--parallel=2", "harness/impl.test.ts", "harness/report/report.test.ts", "harness/summary.test.ts"]);
    expect(ok.code).toBe(0);
    expect(ok.out.match(/^syscraft: /gm)?.length).toBe(1);
    // Right under bun's banner (not under the first file's header), naming every file given, when the output is a pipe
    // (Bun.spawn's "pipe" is a socket, which another process cannot open through /proc: there the line is relayed).
    const piped = await run(["sh", "-c", "bun test --parallel=2 harness/impl.test.ts harness/report/report.test.ts harness/summary.test.ts 2>&1 | cat"]);
    expect(piped.lines[1]).toStartWith("syscraft: the test files matching harness/impl.test.ts harness/report/report.test.ts harness/summary.test.ts;");
    const bad = await run(["bun", "test", "--parallel=2", "--imlp=./x.sh"]);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toContain("syscraft: unknown flag --imlp=./x.sh (did you mean --impl?)");
    expect(bad.out).not.toMatch(/^ \d+ pass/m);
  }, 60_000);

  test("a misspelt challenge in syscraft.local.yaml stops the run with file, line and field (seen: it ran the reference)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "syscraft-config-"));
    try {
      writeFileSync(join(dir, "syscraft.local.yaml"), "impl:\n  redsi: /bin/true\n");
      const r = await run(["bun", "test", "--stage=redis/1"], { env: { SYSCRAFT_CONFIG: join(dir, "syscraft.local.yaml") } });
      expect(r.code).toBe(2);
      expect(r.out).toContain(`${join(dir, "syscraft.local.yaml")}:2: impl.redsi: no challenge named "redsi" (did you mean redis?)`);
      expect(r.out).not.toContain("    at ");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  test("a run with 3 failing cases prints first the program and where it came from, then only the reports and a summary, within 80 lines (seen: 408 lines)", async () => {
    const r = await run(["bun", "test", "--stage=redis/2", `--impl=${FIXTURE}/pong-as-bulk.ts`]);
    expect(r.code).toBe(1);
    expect(r.lines[0]).toStartWith("bun test v");
    expect(r.lines[1]).toBe(`syscraft: testing ${FIXTURE}/pong-as-bulk.ts (from --impl) on redis/2 Respond to PING, then 1 regression stage`);
    expect(r.out.match(/^✗ redis\/2 Respond to PING — /gm)?.length).toBe(3);
    expect(r.lines.length).toBeLessThanOrEqual(80);
    expect(r.out).not.toMatch(/\.test\.ts:$|\(report above\)|^\s+at |^\(fail\)|^ \d+ pass/m);
    expect(r.lines.slice(-2)).toEqual([
      "✗ redis/2 Respond to PING failed: 3 of 3 cases; 3 of 6 cases passed in all.",
      "Next: fix the first report above (instructions: stages/redis/02-ping.md), then run: bun test --stage=redis/2",
    ]);
  }, 60_000);

  test("after a stage passes, the run says what comes next", async () => {
    const r = await run(["bun", "test", "--stage-only=redis/3"]);
    expect(r.code).toBe(0);
    expect(r.lines[1]).toStartWith("syscraft: testing bun solutions/redis/main.ts (the reference solution: no --impl, SYSCRAFT_IMPL or impl.redis in ");
    expect(r.lines.at(-1)).toBe("✓ redis/3 passed. Next: redis/4 Serve concurrent clients: stages/redis/04-concurrent-clients.md, then: bun test --stage=redis/4");
  }, 60_000);

  test("bun's own flags reach the inner run: -t selects cases, and the run still passes when those pass", async () => {
    const r = await run(["bun", "test", "--stage-only=redis/2", "-t", "PING replies PONG"]);
    expect(r.code).toBe(0);
    expect(r.lines.at(-1)).toStartWith("✓ The 1 case your filter (-t 'PING replies PONG') selected passed.");
  }, 60_000);

  test("SIGTERM to a stage run stops the inner run and its programs within 3 s, and says so", async () => {
    const env: Record<string, string | undefined> = { ...process.env };
    for (const k of ["SYSCRAFT_STAGE", "SYSCRAFT_STAGE_ONLY", "SYSCRAFT_IMPL", "SYSCRAFT_RESULTS", "SYSCRAFT_INNER"]) delete env[k];
    const proc = Bun.spawn(["bun", "test", "--stage=redis/7"], { cwd: ROOT, stdout: "pipe", stderr: "pipe", env });
    const output = Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    let inner: string[] = [];
    for (let i = 0; i < 100 && inner.length === 0; i++) {
      await Bun.sleep(50);
      inner = readFileSync(`/proc/${proc.pid}/task/${proc.pid}/children`, "utf8").trim().split(/\s+/).filter((x) => x !== "");
    }
    expect(inner.length).toBe(1);
    await Bun.sleep(1000);
    const sent = Date.now();
    proc.kill("SIGTERM");
    const code = await proc.exited;
    expect(Date.now() - sent).toBeLessThan(3000);
    expect(code).toBe(143);
    expect(existsSync(`/proc/${inner[0]}`)).toBe(false);
    expect((await output).join("")).toContain("✗ Stopped by SIGTERM after");
  }, 30_000);

  test("a program that cannot start is reported once, then one line per case", async () => {
    const r = await run(["bun", "test", "--stage-only=redis/2", `--impl=${FIXTURE}/exits-at-once.ts`]);
    expect(r.code).toBe(1);
    expect(r.out.match(/Your program's output/g)?.length).toBe(1);
    expect(r.out.match(/: the same failure as above \(Your program exited with code 1 before listening/g)?.length).toBe(2);
  }, 60_000);

  test("a case whose program exited says so first, before the client's symptom", async () => {
    const dir = mkdtempSync(join(tmpdir(), "syscraft-crash-"));
    try {
      const program = join(dir, "crash.ts");
      writeFileSync(program, 'const port = Number(process.argv[process.argv.indexOf("--port") + 1]);\nBun.listen({ hostname: "127.0.0.1", port, socket: { data() { process.exit(3); } } });\n');
      const r = await run(["bun", "test", "--stage-only=redis/2", "-t", "PING replies PONG", `--impl=bun ${program}`]);
      expect(r.code).toBe(1);
      const report = r.lines.findIndex((l) => l === "✗ redis/2 Respond to PING — PING replies PONG");
      expect(r.lines[report + 1]).toStartWith("  Your program exited with code 3 during this case (");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test("hints hold no unfilled placeholders (seen: --port {port} verbatim)", async () => {
    const r = await run(["bun", "test", "--stage-only=redis/1", "-t", "listens on the port it is given", `--impl=${FIXTURE}/never-listens.ts`]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Hint: Read the port from the command line \(--port \d+\)/);
    expect(r.out).not.toMatch(/\{(port|dir|host)\}/);
  }, 60_000);

  test("a command fed standard input shows it in the transcript, runnable as printed", async () => {
    const r = await run(["bun", "test", "--stage-only=redis/3", `--impl=${FIXTURE}/one-command-per-connection.ts`]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^\$ printf '(PING\\n)+' \| redis-cli -p \d+ --no-raw$/m);
  }, 60_000);

  test("progress is the learner's: per program by its absolute command, never the reference's (seen: progress showed the reference's results)", async () => {
    const state = mkdtempSync(join(tmpdir(), "syscraft-state-"));
    try {
      const env = { SYSCRAFT_STATE_DIR: state, SYSCRAFT_CONFIG: join(state, "none.yaml") };
      const reference = await run(["bun", "test", "--stage-only=redis/1"], { env });
      expect(reference.code).toBe(0);
      const relative = `${FIXTURE}/pong-as-bulk.ts`;
      const mine = await run(["bun", "test", "--stage-only=redis/1", `--impl=${relative}`], { env });
      expect(mine.code).toBe(0);
      const absolute = `bun ${join(ROOT, "harness/fixtures/redis/pong-as-bulk.ts")}`;
      const progress = await run(["bun", "harness/cli/progress.ts", "redis", `--impl=${absolute}`], { env });
      expect(progress.code).toBe(0);
      expect(progress.lines[0]).toMatch(/^redis\s+■·{9}\s+1\/10\s+impl: /);
      expect(progress.out).not.toMatch(/^(dns|git|http|sql|tunnel) /m);
      const none = await run(["bun", "harness/cli/progress.ts", "redis"], { env });
      expect(none.lines[0]).toStartWith("redis      no program of yours yet (the reference solution");
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  }, 60_000);

  test("a selection typed in a subfolder fails saying what to type (seen: 0 tests, exit 0)", async () => {
    const r = await run(["bun", "test", "--stage=redis/1", "01-bind"], { cwd: join(ROOT, "stages", "redis") });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain(`cd ${ROOT} && bun test --stage=redis/1`);
  }, 60_000);

  test("grade says first which program it grades and records it in the JSON summary", async () => {
    const dir = mkdtempSync(join(tmpdir(), "syscraft-grade-"));
    try {
      const json = join(dir, "results.json");
      const r = await run(["bun", "harness/cli/grade.ts", "redis/1", "--only", `--impl=${FIXTURE}/pong-as-bulk.ts`, `--json=${json}`]);
      expect(r.code).toBe(0);
      expect(r.lines[0]).toBe(`syscraft: grading redis with ${FIXTURE}/pong-as-bulk.ts (from --impl)`);
      const summary = JSON.parse(readFileSync(json, "utf8")) as { challenges: { impl: string; implFrom: string }[] };
      expect(summary.challenges.map((c) => [c.impl, c.implFrom])).toEqual([[`${FIXTURE}/pong-as-bulk.ts`, "from --impl"]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test("grade refuses an unknown flag and a flag without its value (seen: both silently ignored)", async () => {
    const unknown = await run(["bun", "harness/cli/grade.ts", "redis/1", "--jnuit=x.xml"]);
    expect([unknown.code, unknown.out.trim()]).toEqual([2, "grade: unknown flag --jnuit (did you mean --junit?) (usage: bun run grade --help)"]);
    const empty = await run(["bun", "harness/cli/grade.ts", "redis/1", "--impl"]);
    expect(empty.code).toBe(2);
    expect(empty.out).toContain("--impl");
  }, 30_000);
});

selfTests("bun's output around the harness's reports", () => {
  test("the harness's lines are kept as they are; bun's headers, counts and the stack under a report are dropped; anything else of bun's is kept", () => {
    const f = new BunOutputFilter();
    const input = [
      "bun test v1.4.4 (38afee6c8)",
      `${HARNESS_LINE}`,
      `${HARNESS_LINE}✗ redis/2 Respond to PING — PING replies PONG`,
      "stages/selected.test.ts:",
      " 7 | export function caseFailed(summary: string): never {",
      "8 |   const error = new Error(`${summary} (report above)`);",
      "                        ^",
      "error: redis/2: PING replies PONG (report above)",
      "      at caseFailed (/work/main/harness/stage/case-failed.ts:8:21)",
      "(fail) redis/2 Respond to PING > PING replies PONG [388.96ms]",
      "(pass) redis/1 Bind to a port (regression) > the program listens",
      "",
      "1 | oops",
      "    ^",
      "error: Something else broke",
      "      at x (/a.ts:1:1)",
      "(fail) redis/1 > a case bun timed out [10000ms]",
      " 2 pass",
      " 3 fail",
      "Ran 5 tests across 1 file. [1.2s]",
    ];
    const out = [...input.flatMap((l) => f.push(l)), ...f.end()];
    expect(out).toEqual(["", "✗ redis/2 Respond to PING — PING replies PONG", "1 | oops", "    ^", "error: Something else broke", "      at x (/a.ts:1:1)", "(fail) redis/1 > a case bun timed out [10000ms]"]);
  });
});
