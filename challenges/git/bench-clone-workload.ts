/**
 * The clone benchmark, for `bun run bench git`: in the current directory,
 * makes a repository of 2,000 commits (from a fixed seed, through
 * `git fast-import`: each commit rewrites one of 60 text files), serves it
 * with real `git daemon` on the given port (loopback), and times the
 * implementation given as the argument cloning it over git://. Prints
 * `<metric> <value>` lines.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { randomText } from "./clients/git-repo.ts";
import { Random } from "../../harness/random.ts";

const [port, program] = [Bun.argv[2], Bun.argv[3]];
if (!port || !program) {
  console.error("usage: bench-clone-workload.ts <port> <implementation command>");
  process.exit(2);
}

const COMMITS = 2000;
const FILES = 60;
const dir = process.cwd();
const env = { ...process.env, HOME: dir, GIT_CONFIG_NOSYSTEM: "1" };
const served = join(dir, "served");
const repo = join(served, "big.git");
rmSync(served, { recursive: true, force: true });
if (Bun.spawnSync(["git", "init", "-q", "--bare", repo], { env }).exitCode !== 0) throw new Error("git init failed");

// A fast-import stream: one commit per line of history, each replacing one file's content.
const rand = new Random("git-bench-clone");
const contents = Array.from({ length: FILES }, () => Buffer.from(randomText(rand, 40)).toString("latin1"));
const parts: string[] = [];
for (let i = 0; i < COMMITS; i++) {
  const f = rand.int(0, FILES - 1);
  contents[f] = `${contents[f]}${Buffer.from(randomText(rand, 3)).toString("latin1")}`;
  const data = contents[f]!;
  const message = `commit ${i}\n`;
  parts.push(`commit refs/heads/master\ncommitter Bench <bench@example.test> ${1_600_000_000 + i * 60} +0000\ndata ${message.length}\n${message}`);
  parts.push(`M 100644 inline dir${f % 6}/file${f}.txt\ndata ${Buffer.byteLength(data, "latin1")}\n${data}\n`);
}
const imported = Bun.spawnSync(["git", "fast-import", "--quiet"], { cwd: repo, env, stdin: Buffer.from(parts.join(""), "latin1") });
if (imported.exitCode !== 0) throw new Error(`git fast-import failed: ${imported.stderr.toString()}`);
Bun.spawnSync(["git", "gc", "-q"], { cwd: repo, env });

const daemon = Bun.spawn(["git", "daemon", "--reuseaddr", "--export-all", "--verbose", "--listen=127.0.0.1", `--port=${port}`, `--base-path=${served}`, served], { env, stdout: "ignore", stderr: "pipe" });
try {
  // Ready when it says so on stderr (at most 5 s).
  const reader = daemon.stderr.getReader();
  let said = "";
  const deadline = Date.now() + 5000;
  while (!said.includes("Ready to rumble")) {
    if (Date.now() > deadline) throw new Error(`git daemon did not start: ${said}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`git daemon exited: ${said}`);
    said += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const dest = join(dir, "clone");
  rmSync(dest, { recursive: true, force: true });
  const started = performance.now();
  const r = Bun.spawnSync(["/bin/sh", "-c", `${program} "$@"`, "bench", "clone", `git://127.0.0.1:${port}/big.git`, dest], { cwd: dir, env, stdout: "pipe", stderr: "pipe" });
  const ms = performance.now() - started;
  if (r.exitCode !== 0) {
    console.error(`${program} clone exited with ${r.exitCode}: ${r.stderr.toString()}`);
    process.exit(1);
  }
  console.log(`clone ${ms.toFixed(0)}`);
  console.log(`commits ${COMMITS}`);
} finally {
  daemon.kill();
  await daemon.exited;
}
