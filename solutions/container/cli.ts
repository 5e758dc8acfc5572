/**
 * A Docker-like command line on top of the runtime (stage 13; the program's
 * own, runc has none):
 *
 *   main.ts --root <dir> cli run [-d] --name <name> <layout>:<ref> [<command> [<arg>…]]
 *   main.ts --root <dir> cli ps [-a]
 *   main.ts --root <dir> cli exec <name> <command> [<arg>…]
 *   main.ts --root <dir> cli logs <name>
 *   main.ts --root <dir> cli stop [-t <seconds>] <name>
 *   main.ts --root <dir> cli rm [-f] <name>
 *
 * A container is <root>/cli/<name>/: claim (made with O_EXCL: the name is
 * taken), bundle/ (the image unpacked as in stage 11, layers shared under
 * <root>/layers), log (what its process wrote to stdout and stderr), exit
 * (its status, once it has ended). The container itself is run by a monitor
 * (`cli _monitor <name>`, a process of its own in a session of its own, as
 * Docker's containerd-shim), which writes the exit file when it ends; its
 * runtime state is under <root>/cli-runtime (state.ts), named <name>.
 * `run` without -d starts the monitor too, follows the log to stdout and
 * exits with the container's status.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import { joinCgroupsOf } from "./cgroups.ts";
import { readConfig } from "./config.ts";
import { check, CLONE, cstr, libc, O } from "./libc.ts";
import type { Quirks } from "./quirks.ts";
import { run } from "./run.ts";
import { readState, statusOf } from "./state.ts";

declare module "./quirks.ts" {
  interface Quirks {
    /** cli run (attached): the container's output is not passed on. */
    cliAttachedOutputDropped?: boolean;
    /** cli run (attached): exit 0 whatever the container's status. */
    cliAttachedExitZero?: boolean;
    /** cli run with a command: the command replaces Entrypoint and Cmd both. */
    cliEntrypointDropped?: boolean;
    /** cli run without a command: the image's Entrypoint alone, without its Cmd. */
    cliImageCmdIgnored?: boolean;
    /** cli ps without -a lists exited containers too. */
    cliPsShowsExited?: boolean;
    /** cli ps lists no running container (ps -a still lists the ended ones). */
    cliPsRunningHidden?: boolean;
    /** cli ps -a shows every exited container as "exited 0". */
    cliPsExitCodeLost?: boolean;
    /** The container's standard error goes nowhere (neither passed on nor logged). */
    cliStderrDropped?: boolean;
    /** The monitor deletes the container's log when the container ends. */
    cliLogsRemovedAtExit?: boolean;
    /** cli logs prints nothing for a container that is still running. */
    cliLogsRunningEmpty?: boolean;
    /** cli run -d waits for the container to end. */
    cliDetachWaits?: boolean;
    /** The container's hostname is left as the image's (none): not its name. */
    cliHostnameNotName?: boolean;
    /** cli exec runs the command on the host, in none of the container's namespaces. */
    cliExecOnHost?: boolean;
    /** cli exec enters every namespace but the PID namespace. */
    cliExecNoPidNamespace?: boolean;
    /** cli exec enters every namespace but the UTS namespace. */
    cliExecNoUts?: boolean;
    /** cli exec enters every namespace but the network namespace. */
    cliExecNoNetwork?: boolean;
    /** cli exec exits 0 whatever the command's status. */
    cliExecExitZero?: boolean;
    /** cli exec runs the command with an empty environment (PATH only). */
    cliExecEnvDropped?: boolean;
    /** cli exec runs the command in /, not the container's working directory. */
    cliExecCwdRoot?: boolean;
    /** cli exec leaves the command in the cgroups it was started in, not the container's. */
    cliExecCgroupIgnored?: boolean;
    /** cli stop sends SIGKILL at once. */
    cliStopKillsAtOnce?: boolean;
    /** cli stop sends SIGTERM only, and returns after the grace period whether or not the container ended. */
    cliStopNoKill?: boolean;
    /** cli stop waits the default 10 s whatever -t says. */
    cliStopTimeoutIgnored?: boolean;
    /** cli rm removes a running container (killing it) without -f. */
    cliRmRunning?: boolean;
    /** cli rm -f refuses a running container, as rm does. */
    cliRmForceIgnored?: boolean;
    /** cli rm keeps the container's bundle (its writes): a new container of that name starts from them. */
    cliRmKeepsBundle?: boolean;
    /** cli run takes a name already in use. */
    cliNameReused?: boolean;
  }
}

const USAGE = `usage: main.ts --root <dir> cli <command> …
  run [-d] --name <name> <layout>:<ref> [<command> [<arg>…]]
  ps [-a]
  exec <name> <command> [<arg>…]
  logs <name>
  stop [-t <seconds>] <name>
  rm [-f] <name>`;

const CLONE_FS = 0x200;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

class CliError extends Error {}

interface Paths {
  dir: string;
  bundle: string;
  log: string;
  exit: string;
  /** The runtime's --root for the containers of this CLI. */
  runtime: string;
}

function paths(root: string, name: string): Paths {
  if (!NAME.test(name)) throw new CliError(`"${name}" is not a container name (letters, digits, _ . -; 63 at most)`);
  const dir = join(root, "cli", name);
  return { dir, bundle: join(dir, "bundle"), log: join(dir, "log"), exit: join(dir, "exit"), runtime: join(root, "cli-runtime") };
}

type Status = { state: "running" } | { state: "exited"; code: number } | { state: "starting" } | { state: "none" };

function statusOfContainer(p: Paths, name: string): Status {
  if (!existsSync(join(p.dir, "claim"))) return { state: "none" };
  if (existsSync(p.exit)) return { state: "exited", code: Number(readFileSync(p.exit, "utf8")) };
  try {
    const s = statusOf(p.runtime, readState(p.runtime, name));
    if (s === "running" || s === "created") return { state: "running" };
  } catch {
    // no runtime state yet (or any more)
  }
  return { state: "starting" };
}

function containerPid(p: Paths, name: string): number | undefined {
  try {
    const s = readState(p.runtime, name);
    const status = statusOf(p.runtime, s);
    return status === "running" || status === "created" ? s.pid : undefined;
  } catch {
    return undefined;
  }
}

async function waitFor(what: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) return false;
    await Bun.sleep(20);
  }
  return true;
}

/** `<layout>:<ref>`, split at the first colon (a ref may hold colons: app:1.0). */
function imageRef(text: string): { layout: string; ref: string } {
  const at = text.indexOf(":");
  if (at <= 0 || at === text.length - 1) throw new CliError(`"${text}" is not <image layout directory>:<ref>`);
  return { layout: text.slice(0, at), ref: text.slice(at + 1) };
}

async function cliRun(root: string, args: string[], quirks: Quirks): Promise<number> {
  let detach = false;
  let name: string | undefined;
  let i = 0;
  for (; i < args.length && args[i]!.startsWith("-"); i++) {
    const a = args[i]!;
    if (a === "-d" || a === "--detach") detach = true;
    else if (a === "--name") name = args[++i];
    else if (a.startsWith("--name=")) name = a.slice(7);
    else throw new CliError(`unknown option ${a} of run`);
  }
  const image = args[i];
  if (name === undefined || image === undefined) throw new CliError(`run needs --name <name> and an image\n${USAGE}`);
  const command = args.slice(i + 1);
  const p = paths(root, name);
  const { layout, ref } = imageRef(image);
  mkdirSync(p.dir, { recursive: true });
  try {
    // The name is taken by whoever makes the claim file first.
    closeSync(openSync(join(p.dir, "claim"), quirks.cliNameReused ? "w" : "wx"));
  } catch {
    throw new CliError(`the name "${name}" is in use by another container: remove it first (cli rm ${name})`);
  }
  try {
    // Loaded only here: node:zlib and node:crypto cost every other command start-up time.
    const imageConfig = (require("./image.ts") as typeof import("./image.ts")).unpack(root, layout, ref, p.bundle, quirks);
    const configPath = join(p.bundle, "config.json");
    const config = JSON.parse(readFileSync(configPath, "utf8"));
    const entrypoint = (imageConfig.Entrypoint as string[] | null | undefined) ?? [];
    if (command.length > 0) config.process.args = quirks.cliEntrypointDropped ? command : [...entrypoint, ...command];
    else if (quirks.cliImageCmdIgnored) config.process.args = entrypoint;
    if (!quirks.cliHostnameNotName) config.hostname = name;
    config.linux.namespaces = ["pid", "mount", "uts", "ipc", "network"].map((type) => ({ type }));
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    writeFileSync(p.log, "");
  } catch (e) {
    rmSync(p.dir, { recursive: true, force: true });
    throw e;
  }
  // The monitor runs the container: the same program (Bun.main: a broken fixture's quirks stay on), in a session of its own.
  const logFd = openSync(p.log, "a");
  const errFd = quirks.cliStderrDropped ? openSync("/dev/null", "a") : logFd;
  const monitor = Bun.spawn([process.execPath, Bun.main, "--root", root, "cli", "_monitor", name], { stdio: ["ignore", logFd, errFd], detached: true, env: process.env });
  closeSync(logFd);
  if (errFd !== logFd) closeSync(errFd);
  monitor.unref();
  if (detach && !quirks.cliDetachWaits) {
    // Returns once the container's process runs (or has already ended).
    if (!(await waitFor(() => statusOfContainer(p, name).state !== "starting" || monitor.exitCode !== null, 30_000))) throw new CliError(`container "${name}" did not start within 30 s`);
    process.stdout.write(`${name}\n`);
    return 0;
  }
  // Attached: the log, followed to standard output until the container has ended.
  const fd = openSync(p.log, "r");
  const buf = Buffer.alloc(65536);
  const drain = () => {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) if (!quirks.cliAttachedOutputDropped) process.stdout.write(buf.subarray(0, n));
  };
  while (!existsSync(p.exit)) {
    drain();
    if (monitor.exitCode !== null && !existsSync(p.exit)) throw new CliError(`the monitor of container "${name}" ended (status ${monitor.exitCode}) without its status`);
    await Bun.sleep(20);
  }
  drain();
  closeSync(fd);
  const code = Number(readFileSync(p.exit, "utf8"));
  return quirks.cliAttachedExitZero || detach ? 0 : code;
}

/** The monitor: runs the container to its end (runtime state under <root>/cli-runtime), then records its status. */
async function cliMonitor(root: string, name: string, quirks: Quirks): Promise<number> {
  const p = paths(root, name);
  let code = 125;
  try {
    code = await run(p.bundle, { root: p.runtime, id: name, quirks });
  } catch (e) {
    process.stderr.write(`cli: container "${name}": ${(e as Error).message}\n`);
  }
  if (quirks.cliLogsRemovedAtExit) rmSync(p.log, { force: true });
  if (existsSync(p.dir)) writeFileSync(p.exit, String(code));
  return 0;
}

function cliPs(root: string, args: string[], quirks: Quirks): number {
  const all = args[0] === "-a" || args[0] === "--all";
  if (args.length > (all ? 1 : 0)) throw new CliError(USAGE);
  let names: string[] = [];
  try {
    names = readdirSync(join(root, "cli")).sort();
  } catch {
    // no containers yet
  }
  for (const name of names) {
    const s = statusOfContainer(paths(root, name), name);
    if (s.state === "running" || s.state === "starting") {
      if (!quirks.cliPsRunningHidden) process.stdout.write(`${name} running\n`);
    }
    else if (s.state === "exited" && (all || quirks.cliPsShowsExited)) process.stdout.write(`${name} exited ${quirks.cliPsExitCodeLost ? 0 : s.code}\n`);
  }
  return 0;
}

/** A program named without a / looked up in the container's PATH (this thread already sees the container's files). */
function lookup(program: string, env: string[]): string {
  if (program.includes("/")) return program;
  const path = env.find((e) => e.startsWith("PATH="))?.slice(5) ?? "/usr/local/bin:/usr/bin:/bin";
  for (const dir of path.split(":")) {
    const candidate = join(dir || ".", program);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not there
    }
  }
  throw new CliError(`${program}: not found in the container's PATH (${path})`);
}

/**
 * exec: this thread joins the container's namespaces (setns on /proc/<pid>/ns/*; the mount namespace last, after
 * unshare(CLONE_FS), as setns(2) wants for it) and starts the command there, as its child: in the container's PID
 * namespace, with its root, hostname and network. Then back to its own PID namespace (a thread cannot be started
 * while pid_for_children is another namespace).
 */
async function cliExec(root: string, args: string[], quirks: Quirks): Promise<number> {
  const [name, ...command] = args;
  if (name === undefined || command.length === 0) throw new CliError(`exec needs a container name and a command\n${USAGE}`);
  const p = paths(root, name);
  const pid = containerPid(p, name);
  if (pid === undefined || existsSync(p.exit)) throw new CliError(`container "${name}" is not running`);
  const config = readConfig(p.bundle);
  const kinds: [string, number][] = [
    ["ipc", CLONE.ipc],
    ["uts", CLONE.uts],
    ["net", CLONE.network],
    ["pid", CLONE.pid],
    ["mnt", CLONE.mount],
  ];
  const wanted = quirks.cliExecOnHost ? [] : kinds.filter(([k]) => !(quirks.cliExecNoPidNamespace && k === "pid") && !(quirks.cliExecNoUts && k === "uts") && !(quirks.cliExecNoNetwork && k === "net"));
  const fds = wanted.map(([k, flag]) => [check(libc.open(cstr(`/proc/${pid}/ns/${k}`), O.CLOEXEC, 0), `open /proc/${pid}/ns/${k}`), flag] as const);
  const ownPidNs = check(libc.open(cstr("/proc/self/ns/pid"), O.CLOEXEC, 0), "open /proc/self/ns/pid");
  // The container's cgroups, joined while the host's /sys/fs/cgroup is in view: the command starts in them.
  if (!quirks.cliExecCgroupIgnored) joinCgroupsOf(pid);
  const env = quirks.cliExecEnvDropped ? ["PATH=/bin:/usr/bin"] : config.process.env;
  let child;
  try {
    check(libc.unshare(CLONE_FS), "unshare(CLONE_FS)");
    for (const [fd, flag] of fds) check(libc.setns(fd, flag), `setns into the container's namespace (${flag.toString(16)})`), libc.close(fd);
    const cwd = quirks.cliExecCwdRoot ? "/" : config.process.cwd;
    child = Bun.spawn([lookup(command[0]!, env), ...command.slice(1)], {
      cwd,
      env: Object.fromEntries(env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)])),
      stdio: ["inherit", "inherit", "inherit"],
    });
  } finally {
    check(libc.setns(ownPidNs, CLONE.pid), "setns back to this process's PID namespace");
    libc.close(ownPidNs);
  }
  const code = await child.exited;
  if (quirks.cliExecExitZero) return 0;
  return child.signalCode ? 128 + (constants.signals[child.signalCode as keyof typeof constants.signals] ?? 0) : code;
}

function cliLogs(root: string, args: string[], quirks: Quirks): number {
  const [name, ...rest] = args;
  if (name === undefined || rest.length > 0) throw new CliError(`logs needs a container name\n${USAGE}`);
  const p = paths(root, name);
  if (!existsSync(join(p.dir, "claim"))) throw new CliError(`no container "${name}"`);
  if (quirks.cliLogsRunningEmpty && !existsSync(p.exit)) return 0;
  if (existsSync(p.log)) process.stdout.write(readFileSync(p.log));
  return 0;
}

/** stop: SIGTERM to the container's process, SIGKILL after the grace period; returns once it has ended. */
async function cliStop(root: string, args: string[], quirks: Quirks): Promise<number> {
  let grace = 10;
  let i = 0;
  if (args[0] === "-t" || args[0] === "--time") {
    if (!/^\d+$/.test(args[1] ?? "")) throw new CliError(`-t needs a number of seconds\n${USAGE}`);
    grace = Number(args[1]);
    i = 2;
  }
  if (quirks.cliStopTimeoutIgnored) grace = 10;
  const name = args[i];
  if (name === undefined || args.length > i + 1) throw new CliError(`stop needs a container name\n${USAGE}`);
  const p = paths(root, name);
  if (!existsSync(join(p.dir, "claim"))) throw new CliError(`no container "${name}"`);
  const ended = () => existsSync(p.exit);
  if (!(await waitFor(() => ended() || containerPid(p, name) !== undefined, 30_000))) throw new CliError(`container "${name}" has not started`);
  const pid = containerPid(p, name);
  if (pid === undefined || ended()) return 0;
  process.kill(pid, quirks.cliStopKillsAtOnce ? "SIGKILL" : "SIGTERM");
  if (await waitFor(ended, grace * 1000)) return 0;
  if (quirks.cliStopNoKill) return 0;
  const still = containerPid(p, name);
  if (still !== undefined) process.kill(still, "SIGKILL");
  if (!(await waitFor(ended, 10_000))) throw new CliError(`container "${name}" did not end after SIGKILL`);
  return 0;
}

async function cliRm(root: string, args: string[], quirks: Quirks): Promise<number> {
  const force = (args[0] === "-f" || args[0] === "--force") && !quirks.cliRmForceIgnored;
  const name = args[args[0]?.startsWith("-") ? 1 : 0];
  if (name === undefined) throw new CliError(`rm needs a container name\n${USAGE}`);
  const p = paths(root, name);
  if (!existsSync(join(p.dir, "claim"))) throw new CliError(`no container "${name}"`);
  if (!existsSync(p.exit)) {
    if (!force && !quirks.cliRmRunning) throw new CliError(`container "${name}" is running: stop it first, or rm -f`);
    await waitFor(() => containerPid(p, name) !== undefined || existsSync(p.exit), 30_000);
    const pid = containerPid(p, name);
    if (pid !== undefined) process.kill(pid, "SIGKILL");
    if (!(await waitFor(() => existsSync(p.exit), 10_000))) throw new CliError(`container "${name}" did not end after SIGKILL`);
  }
  if (quirks.cliRmKeepsBundle) {
    for (const entry of readdirSync(p.dir)) if (entry !== "bundle") rmSync(join(p.dir, entry), { recursive: true, force: true });
  } else rmSync(p.dir, { recursive: true, force: true });
  return 0;
}

export async function cliMain(root: string, argv: string[], quirks: Quirks): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case "run":
        return await cliRun(root, args, quirks);
      case "_monitor":
        return await cliMonitor(root, args[0]!, quirks);
      case "ps":
        return cliPs(root, args, quirks);
      case "exec":
        return await cliExec(root, args, quirks);
      case "logs":
        return cliLogs(root, args, quirks);
      case "stop":
        return await cliStop(root, args, quirks);
      case "rm":
        return await cliRm(root, args, quirks);
      default:
        throw new CliError(command === undefined ? USAGE : `unknown command "cli ${command}"\n${USAGE}`);
    }
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
}
