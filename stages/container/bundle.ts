/**
 * OCI bundles for the container stages: a busybox root file system and a
 * config.json written by the test (runtime-spec config.md), a fresh one per
 * container; running the program under test on it with runc's command line;
 * finding the container's process from the host; and removing whatever the
 * container left (its cgroup, at the linux.cgroupsPath the test chose).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireBinary } from "../../harness/clients/require.ts";
import type { CommandResult } from "../../harness/clients/command.ts";
import { processStartTime } from "../../harness/process/proc.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import type { Program } from "../../harness/stage/program.ts";
import { buildRootfs } from "../../challenges/container/rootfs.ts";

/** The default process environment: HOME is set so that no runtime has to invent it (runc sets HOME when it is missing). */
export const BASE_ENV = ["PATH=/bin:/sbin:/usr/bin", "HOME=/root"];

let counter = 0;

/** A bundle directory: rootfs/ (busybox) and the config.json the test shapes. */
export class Bundle {
  readonly dir: string;
  readonly rootfs: string;
  readonly id: string;
  /** runc's --root: where the runtime keeps its state for this case. */
  readonly stateRoot: string;
  readonly cgroupsPath: string;
  /** On a tmpfs with shared propagation (see the constructor). */
  readonly shared: boolean;
  config: Record<string, any>;

  /**
   * `shared`: the runtime finds the bundle on a mount with shared propagation (see
   * sandbox()), so that mounts it makes under it in a namespace whose / it did not
   * make private are copied back to the namespace it was started in, where the
   * test can see them (/proc/<runtime pid>/mountinfo), and pivot_root refuses a
   * new root whose parent mount is shared (whatever the machine's own / is).
   */
  constructor(
    private readonly t: CaseContext,
    args: string[],
    opts: { shared?: boolean } = {},
  ) {
    const n = ++counter;
    this.dir = join(t.dir, `bundle-${n}`);
    this.shared = opts.shared === true;
    this.rootfs = join(this.dir, "rootfs");
    this.stateRoot = join(t.dir, "state");
    this.id = `${t.rand.word()}-${t.rand.int(1000, 9999)}`;
    // Named like the harness's own cgroups (owner pid and start time), so a killed run's leftovers are swept.
    this.cgroupsPath = `/syscraft-${process.pid}-${processStartTime(process.pid) ?? 0}-ct${n}`;
    requireBinary("busybox", "busybox-static");
    buildRootfs(this.rootfs);
    this.config = {
      ociVersion: "1.0.2",
      process: { terminal: false, user: { uid: 0, gid: 0 }, args, env: [...BASE_ENV], cwd: "/" },
      root: { path: "rootfs", readonly: false },
      mounts: [{ destination: "/proc", type: "proc", source: "proc" }],
      linux: { namespaces: [{ type: "pid" }, { type: "mount" }], cgroupsPath: this.cgroupsPath },
    };
    t.defer(() => removeCgroup(this.cgroupsPath));
  }

  /** A file in the root file system (parents made). */
  file(path: string, content: string, mode = 0o644): void {
    const full = join(this.rootfs, path);
    mkdirSync(join(full, ".."), { recursive: true });
    writeFileSync(full, content, { mode });
  }

  /** The runtime's arguments: `--root <state> run -b <bundle> <id>` (runc's command line). */
  runArgs(): string[] {
    return ["--root", this.stateRoot, "run", "-b", this.dir, this.id];
  }

  write(): void {
    writeFileSync(join(this.dir, "config.json"), JSON.stringify(this.config, null, 2));
    this.t.log.note(`config.json: ${JSON.stringify(this.config)}`);
  }

  /** Writes config.json and runs the container to its end (bounded), from the bundle directory unless `cwd` says otherwise. */
  async run(opts: { timeoutMs?: number; cwd?: string; stdin?: string } = {}): Promise<CommandResult> {
    this.write();
    return this.t.run(this.runArgs(), { timeoutMs: opts.timeoutMs ?? 8000, cwd: opts.cwd ?? this.dir, stdin: opts.stdin, wrap: this.sandbox() });
  }

  /**
   * Writes config.json and runs `create` in the background; the runtime should
   * return once the container is created, while the container lives on. The
   * container's output is the returned program's (it inherits the runtime's).
   */
  async create(): Promise<{ program: Program; code: number | null }> {
    this.write();
    // bun test --no-orphans hands its flag on to every program in the environment, and a Bun program with it
    // kills every process it started when it exits: the container would die with `create`. Off for create
    // (the container is still removed with its cgroup when the case ends).
    const env = { BUN_FEATURE_FLAG_NO_ORPHANS: "0" };
    const program = await this.t.start({ args: ["--root", this.stateRoot, "create", "-b", this.dir, this.id], ready: "none", env, wrap: this.sandbox(), exitExpected: true });
    return { program, code: await program.process.waitExit(10000) };
  }

  /** `--root <state> <command> <args…>` (start, state, kill, delete: runc's command line), run to its end. */
  async command(command: string, ...args: string[]): Promise<CommandResult> {
    return this.t.run(["--root", this.stateRoot, command, ...args], { timeoutMs: 8000, cwd: this.dir, wrap: this.sandbox() });
  }

  /** Writes config.json and starts the container in the background. */
  async start(): Promise<Program> {
    this.write();
    return this.t.start({ args: this.runArgs(), ready: "none", wrap: this.sandbox() });
  }

  /**
   * Every runtime runs in a mount namespace of its own with private propagation
   * (unshare(1)), so that no runtime's mistake can reach the host's mount table:
   * a runtime that forgets to make / private and then detaches the old root would
   * otherwise unmount the host's shared mounts. For a `shared` bundle, the bundle
   * directory is bind-mounted onto itself there with shared propagation first.
   */
  sandbox(): string[] {
    const unshare = ["unshare", "--mount", "--propagation", "private"];
    if (!this.shared) return unshare;
    return [...unshare, "/bin/sh", "-c", 'mount --bind "$0" "$0" && mount --make-shared "$0" && exec "$@"', this.dir];
  }
}

/**
 * The host pid of the process whose command line is exactly `argv` (the test
 * gives the container's process a unique argument to find it by), waiting up to `ms`.
 */
export async function findProcess(argv: string[], ms = 5000, giveUp: () => boolean = () => false): Promise<number | undefined> {
  const want = argv.join("\0");
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !giveUp()) {
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      try {
        if (readFileSync(`/proc/${name}/cmdline`, "utf8").replace(/\0$/, "") === want) return Number(name);
      } catch {
        // gone meanwhile
      }
    }
    await Bun.sleep(20);
  }
  return undefined;
}

/** What the host sees of a process's root: readlink /proc/<pid>/root ("/" after pivot_root in its own mount namespace). */
export function rootOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/root`);
  } catch {
    return undefined;
  }
}

/** The mount points of a process's mount namespace, as it sees them (/proc/<pid>/mountinfo, field 5). */
export function mountPointsOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/mountinfo`, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split(" ")[4]!);
  } catch {
    return [];
  }
}

/** cgroup v2 (one unified hierarchy at /sys/fs/cgroup), or v1 (a hierarchy per controller under it). */
export const cgroupV2 = (): boolean => existsSync("/sys/fs/cgroup/cgroup.controllers");

/** The directories of the cgroup at `path` in every hierarchy (v1: one per controller, and the named ones; v2: one). */
export function cgroupDirs(path: string): string[] {
  const roots = cgroupV2() ? ["/sys/fs/cgroup"] : readdirSync("/sys/fs/cgroup").map((c) => join("/sys/fs/cgroup", c));
  return roots.map((root) => join(root, path));
}

/** The directories of the cgroup at `path` that hold the given controllers' files (v1: each controller's hierarchy; v2: the one directory). */
export function controllerDirs(path: string, controllers: string[]): string[] {
  return cgroupV2() ? [join("/sys/fs/cgroup", path)] : controllers.map((c) => join("/sys/fs/cgroup", c, path));
}

/** Kills what is left in a container's cgroup and removes it, in every hierarchy (v1: one per controller; v2: one). */
export function removeCgroup(path: string): void {
  for (const dir of cgroupDirs(path)) {
    if (!existsSync(dir)) continue;
    const deadline = Date.now() + 2000;
    for (;;) {
      let pids: string[] = [];
      try {
        pids = readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean);
      } catch {
        break;
      }
      if (pids.length === 0 || Date.now() > deadline) break;
      for (const pid of pids) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // gone
        }
      }
      Bun.sleepSync(5);
    }
    try {
      rmdirSync(dir);
    } catch {
      // still busy: the harness's sweep removes it once its owner is gone
    }
  }
}
