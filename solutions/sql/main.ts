/**
 * A SQLite-compatible engine, used like sqlite3:
 *   bun solutions/sql/main.ts <file.db> "<SQL or dot-command>"
 * (with no SQL, it reads one command per line from stdin). It prints rows in
 * sqlite3's default list mode: columns joined by "|", NULL as nothing,
 * reals as "%!.15g". The engine is cli.ts and the modules it imports.
 *
 * Run as a program, this file starts the engine from a bundle of this
 * folder's sources with its bytecode (`Bun.build` with `bytecode: true`),
 * kept in .build/<hash of the sources and Bun's version>/ and built by the
 * first run after a source changed (about 0.4 s). Loading the bundle's
 * bytecode instead of parsing 24 TypeScript files saves about 5 ms of a run
 * that is otherwise 10-15 ms (challenges/sql/README.md, Benchmark). The hash
 * is of the sources' bytes, so a changed source is never run from an old
 * bundle; when a bundle cannot be built or loaded, the sources run.
 *
 * Imported (the broken fixtures switch a quirk on, then call runMain), it
 * runs the sources, so the quirks they set are the engine's.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

type Cli = typeof import("./cli.ts");

/** Runs the engine from the sources: `<file.db> [SQL]`; the exit status. */
export function runMain(args: string[]): number {
  return (require("./cli.ts") as Cli).runMain(args);
}

/** The engine from its bundle, built first if the sources changed since the last build; undefined if that fails. */
async function bundled(): Promise<Cli | undefined> {
  const dir = import.meta.dir;
  let hash: bigint | number = Bun.hash(Bun.version);
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".ts")).sort()) hash = Bun.hash(readFileSync(join(dir, name)), hash);
  const builds = join(dir, ".build");
  const key = hash.toString(36);
  const out = join(builds, key);
  const file = join(out, "cli.js");
  try {
    if (!existsSync(file)) {
      // Built beside its final place, then renamed: a run never sees half a bundle, and of two runs building at once the first rename wins.
      const tmp = `${out}.${process.pid}.tmp`;
      const r = await Bun.build({ entrypoints: [join(dir, "cli.ts")], outdir: tmp, target: "bun", format: "cjs", bytecode: true });
      if (!r.success) return undefined;
      try {
        renameSync(tmp, out);
      } catch {
        rmSync(tmp, { recursive: true, force: true });
      }
      // Bundles of earlier sources are never used again (names with a dot are builds under way).
      for (const old of readdirSync(builds)) if (old !== key && !old.includes(".")) rmSync(join(builds, old), { recursive: true, force: true });
    }
    return require(file) as Cli;
  } catch {
    return undefined;
  }
}

if (import.meta.main) {
  const args = Bun.argv.slice(2);
  const cli = await bundled();
  process.exitCode = cli ? cli.runMain(args) : runMain(args);
}
