// Helpers shared by the aof extension's stages (not a stage itself).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { redisCli, type RedisCli } from "../../../challenges/redis/clients/redis.ts";
import { StageFailure } from "../../../harness/report/failure.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";

export const AOF_DIR = "appendonlydir";
export const MANIFEST = "appendonly.aof.manifest";

export function aofArgs(dir: string, fsync: "always" | "everysec"): string[] {
  return ["--dir", dir, "--appendonly", "yes", "--appendfsync", fsync];
}

/** Starts the program with `args`; if it cannot start, fails with `hint`. */
export async function startWith(t: CaseContext, args: string[], hint: string): Promise<{ redis: Program; cli: RedisCli }> {
  try {
    const redis = await t.start({ extraArgs: args });
    return { redis, cli: redisCli(t, redis) };
  } catch (e) {
    if (!(e instanceof StageFailure)) throw e;
    throw new StageFailure({ ...e.details, hint });
  }
}

/** kill -9 of the program's whole process group (no chance to flush anything), then waits until it is gone. */
export async function kill9(t: CaseContext, program: Program): Promise<void> {
  t.log.command(`kill -9 -${program.process.pid}`);
  try {
    process.kill(-program.process.pid, "SIGKILL");
  } catch {
    // already gone
  }
  if ((await program.process.waitExit(3000)) === null) throw new Error(`the program (pid ${program.process.pid}) did not die after SIGKILL`);
}

/** The files the manifest lists, in order, as [name, type]. */
export function manifestFiles(dir: string): Array<[string, string]> {
  const path = join(dir, AOF_DIR, MANIFEST);
  if (!existsSync(path)) {
    throw new StageFailure({
      message: `There is no ${AOF_DIR}/${MANIFEST} in the --dir directory.`,
      hint: `Redis 7 keeps the AOF in a directory (appenddirname, default "${AOF_DIR}") with a manifest "${MANIFEST}" listing its files, one line each: "file <name> seq <n> type <b|i>" — a base file (b) and an incremental file (i) that every write is appended to.`,
    });
  }
  return readFileSync(path, "latin1")
    .split("\n")
    .filter((l) => l.startsWith("file "))
    .map((l) => {
      const w = l.split(" ");
      return [w[1]!, w[w.indexOf("type") + 1]!];
    });
}

/** The incremental file the manifest lists last. */
export function incrFile(dir: string): string {
  const incr = manifestFiles(dir).filter(([, type]) => type === "i").at(-1);
  if (!incr) throw new StageFailure({ message: `${AOF_DIR}/${MANIFEST} lists no incremental file (type i).`, hint: "The manifest lists a base file (type b) and the incremental file (type i) writes are appended to." });
  return join(dir, AOF_DIR, incr[0]);
}

/** Total size in bytes of the AOF directory's files. */
export function aofSize(dir: string): number {
  const d = join(dir, AOF_DIR);
  if (!existsSync(d)) return 0;
  return readdirSync(d).reduce((n, f) => n + statSync(join(d, f)).size, 0);
}
