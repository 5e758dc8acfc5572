/**
 * One Git benchmark run, for `bun run bench git`: in the current directory,
 * writes a large tree of files drawn from a fixed seed (directories of files,
 * a few levels deep), then times the implementation given as the argument
 * (a command line) on it: `hash-object -w` of every file, then `write-tree`
 * in a fresh repository. Prints `<metric> <milliseconds>` lines.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { randomFiles, writeFiles, type RepoFile } from "./clients/git-repo.ts";
import { Random } from "../../harness/random.ts";

const program = Bun.argv[2];
if (!program) {
  console.error("usage: bench-workload.ts <implementation command>");
  process.exit(2);
}

const rand = new Random("git-bench");
const files: RepoFile[] = [];
for (let i = 0; i < 40; i++) for (const f of randomFiles(rand, { depth: 3, width: 3 })) files.push({ ...f, path: `part${i}/${f.path}` });
const work = join(process.cwd(), "work");
mkdirSync(work, { recursive: true });
writeFiles(work, files);
const regular = files.filter((f) => f.kind !== "symlink").map((f) => f.path);

const env = { ...process.env, HOME: process.cwd(), GIT_CONFIG_NOSYSTEM: "1" };
function run(args: string[]): number {
  const started = performance.now();
  const r = Bun.spawnSync(["/bin/sh", "-c", `${program} "$@"`, "bench", ...args], { cwd: work, env, stdout: "pipe", stderr: "pipe" });
  const ms = performance.now() - started;
  if (r.exitCode !== 0) {
    console.error(`${program} ${args.slice(0, 3).join(" ")}… exited with ${r.exitCode}: ${r.stderr.toString()}`);
    process.exit(1);
  }
  return ms;
}
function freshRepo(): void {
  rmSync(join(work, ".git"), { recursive: true, force: true });
  if (Bun.spawnSync(["git", "init", "-q"], { cwd: work, env }).exitCode !== 0) throw new Error("git init failed");
}

freshRepo();
console.log(`hash-object-w ${run(["hash-object", "-w", ...regular]).toFixed(0)}`);
freshRepo();
console.log(`write-tree ${run(["write-tree"]).toFixed(0)}`);
console.log(`files ${files.length}`);
