/**
 * A container runtime with runc's command line (runtime.md "Operations"):
 *   main.ts [--root <state dir>] run    [-b <bundle>] [--network=bridge:<bridge>,<cidr> [--publish=<host port>:<container port>]…] <id>
 *     (--network, --publish: network.ts, not runc's)
 *   main.ts [--root <state dir>] create [-b <bundle>] [--network=… [--publish=…]…] <id>
 *   main.ts [--root <state dir>] start  <id>
 *   main.ts [--root <state dir>] state  <id>
 *   main.ts [--root <state dir>] kill   <id> [<signal>]
 *   main.ts [--root <state dir>] delete [-f|--force] <id>
 *   main.ts [--root <state dir>] unpack <OCI image layout> <ref> <bundle>   (image.ts: not runc's)
 *   main.ts [--root <state dir>] cli run|ps|exec|logs|stop|rm …              (cli.ts: a Docker-like command line, not runc's)
 * It reads <bundle>/config.json (the OCI runtime spec) and runs its process
 * in new namespaces, in a new root, with the config's mounts and limits.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "./config.ts";
import type { Quirks } from "./quirks.ts";
import { create, kill, remove, run, start, state, type Target } from "./run.ts";
import { exists } from "./state.ts";

const USAGE = `usage: main.ts [--root <dir>] <command> …
  run [-b <bundle>] [--network=bridge:<bridge>,<cidr> [--publish=<host port>:<container port>]…] <container-id>
  create [-b <bundle>] [--network=bridge:<bridge>,<cidr> [--publish=<host port>:<container port>]…] <container-id>
  start|state <container-id>
  kill <container-id> [<signal>]
  delete [-f] <container-id>
  unpack <image layout> <ref> <bundle>
  cli run|ps|exec|logs|stop|rm …`;

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
  // Absolute: run may come back from the container's mount namespace in / (inplace.ts).
  root = resolve(root);
  const command = argv[i];
  // Loaded only for cli: its own command line (cli.ts).
  if (command === "cli") process.exit(await (require("./cli.ts") as typeof import("./cli.ts")).cliMain(root, argv.slice(i + 1), quirks));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv.slice(i + 1),
      allowPositionals: true,
      strict: true,
      options: { bundle: { type: "string", short: "b" }, force: { type: "boolean", short: "f" }, network: { type: "string" }, publish: { type: "string", short: "p", multiple: true } },
    });
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  const [id, ...rest] = parsed.positionals;
  if (id === undefined || rest.length > (command === "kill" ? 1 : 0) + (command === "unpack" ? 2 : 0) || (command === "unpack" && rest.length !== 2)) fail(USAGE);
  const target: Target = { root, id, quirks };
  if ((parsed.values.network !== undefined || parsed.values.publish !== undefined) && command !== "run" && command !== "create") fail(`--network and --publish are options of run and create\n${USAGE}`);
  if (parsed.values.publish !== undefined && parsed.values.network === undefined) fail(`--publish needs --network\n${USAGE}`);
  const bundle = resolve(parsed.values.bundle ?? process.cwd());
  try {
    switch (command) {
      case "run":
      case "create":
        if (exists(root, id)) fail(`container "${id}" already exists`);
        if (parsed.values.network !== undefined) {
          target.network = (require("./network.ts") as typeof import("./network.ts")).parseNetwork(parsed.values.network, parsed.values.publish ?? []);
        }
        if (command === "run") process.exit(await run(bundle, target));
        await create(bundle, target);
        break;
      case "start":
        start(target);
        break;
      case "state":
        process.stdout.write(`${JSON.stringify(state(target), null, 2)}\n`);
        break;
      case "kill":
        kill(target, rest[0]);
        break;
      case "unpack":
        // Loaded only for unpack: node:zlib and node:crypto cost every other command start-up time.
        (require("./image.ts") as typeof import("./image.ts")).unpack(root, id, rest[0]!, rest[1]!, quirks);
        break;
      case "delete":
        await remove(target, parsed.values.force === true);
        break;
      default:
        fail(command === undefined ? USAGE : `unknown command "${command}"\n${USAGE}`);
    }
  } catch (e) {
    fail(e instanceof ConfigError ? `config.json: ${e.message}` : (e as Error).message);
  }
  process.exit(0);
}

if (import.meta.main) await runMain(Bun.argv.slice(2));
