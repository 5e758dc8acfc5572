/**
 * A container runtime with runc's command line:
 *   main.ts [--root <state dir>] run -b|--bundle <bundle> <container id>
 * It reads <bundle>/config.json (the OCI runtime spec) and runs its process
 * in new namespaces, in a new root, with the config's mounts and limits.
 */
import { parseArgs } from "node:util";
import { ConfigError } from "./config.ts";
import type { Quirks } from "./quirks.ts";
import { run } from "./run.ts";
import { exists } from "./state.ts";

const USAGE = "usage: main.ts [--root <dir>] run -b <bundle> <container-id>";

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

export async function runMain(argv: string[], quirks: Quirks = {}): Promise<never> {
  // Global options come before the command, as with runc.
  let root = "/run/syscraft-container";
  let i = 0;
  while (argv[i]?.startsWith("-")) {
    const a = argv[i]!;
    if (a === "--root") root = argv[(i += 1)] ?? fail(USAGE);
    else if (a.startsWith("--root=")) root = a.slice(7);
    else fail(`unknown global option ${a}\n${USAGE}`);
    i++;
  }
  const command = argv[i];
  if (command !== "run") fail(command === undefined ? USAGE : `unknown command "${command}"\n${USAGE}`);
  let parsed;
  try {
    parsed = parseArgs({ args: argv.slice(i + 1), allowPositionals: true, strict: true, options: { bundle: { type: "string", short: "b" } } });
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  const id = parsed.positionals[0];
  if (id === undefined || parsed.positionals.length !== 1) fail(USAGE);
  if (exists(root, id)) fail(`container "${id}" already exists`);
  try {
    process.exit(await run({ root, bundle: parsed.values.bundle ?? process.cwd(), id, quirks }));
  } catch (e) {
    fail(e instanceof ConfigError ? `config.json: ${e.message}` : (e as Error).message);
  }
}

if (import.meta.main) await runMain(Bun.argv.slice(2));
