import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { STATE_DIR } from "./paths.ts";

/** A flag bun knows: its long name (without "--"), its one-letter alias, whether it takes a value. */
export interface BunFlag {
  name: string;
  short?: string;
  takesValue: boolean;
}

/** Reads the flags out of `bun --help` / `bun test --help` text: lines like `  -t, --test-name-pattern=<val>   …`. */
export function parseHelpFlags(help: string): BunFlag[] {
  const out: BunFlag[] = [];
  for (const line of help.split("\n")) {
    const m = /^\s+(?:-([A-Za-z]),?\s+)?--([a-z0-9][a-z0-9-]*)(=<[^>]*>)?\s/.exec(`${line} `);
    if (!m) continue;
    const flag: BunFlag = { name: m[2]!, takesValue: m[3] !== undefined };
    if (m[1] !== undefined) flag.short = m[1];
    out.push(flag);
  }
  return out;
}

/** Used when bun's help cannot be read: the test runner's flags and the common runtime flags of bun 1.4. */
const FALLBACK: BunFlag[] = [
  ...["timeout", "rerun-each", "retry", "seed", "coverage-reporter", "coverage-dir", "bail", "reporter", "reporter-outfile", "max-concurrency", "path-ignore-patterns", "changed", "parallel", "parallel-delay", "shard", "timings", "preload", "require", "import", "env-file", "conditions", "define", "inspect", "inspect-wait", "inspect-brk", "tsconfig-override", "cwd", "config", "install"].map((name) => ({ name, takesValue: true })),
  ...["update-snapshots", "todo", "only", "pass-with-no-tests", "concurrent", "randomize", "coverage", "dots", "only-failures", "isolate", "no-isolate", "test-worker", "update-timings", "no-orphans", "watch", "hot", "no-clear-screen", "check", "smol", "silent", "bun", "help", "version", "revision"].map((name) => ({ name, takesValue: false })),
  { name: "test-name-pattern", short: "t", takesValue: true },
];

function helpText(args: string[]): string {
  try {
    const r = Bun.spawnSync(["bun", ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
    return r.stdout.toString() + r.stderr.toString();
  } catch {
    return "";
  }
}

let cached: BunFlag[] | undefined;

/**
 * Every flag `bun test` accepts: those `bun test --help` and `bun --help` list
 * (read once per bun version and kept in .syscraft/), plus `-h`/`--help`.
 */
export function bunFlags(): BunFlag[] {
  if (cached) return cached;
  const file = join(STATE_DIR, `bun-flags-${Bun.version}-${Bun.revision.slice(0, 9)}.json`);
  try {
    cached = JSON.parse(readFileSync(file, "utf8")) as BunFlag[];
    return cached;
  } catch {
    // not cached yet
  }
  const parsed = [...parseHelpFlags(helpText(["test", "--help"])), ...parseHelpFlags(helpText(["--help"]))];
  const flags = parsed.length >= 20 ? parsed : FALLBACK;
  flags.push({ name: "help", short: "h", takesValue: false });
  cached = flags;
  if (parsed.length >= 20) {
    try {
      mkdirSync(STATE_DIR, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(flags));
      renameSync(tmp, file);
    } catch {
      // a read-only checkout: read the help again next time
    }
  }
  return cached;
}
