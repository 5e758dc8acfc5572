/**
 * `run`: create the container and run its process to the end, in the
 * foreground (runc run). The runtime stays outside the container: it makes
 * the PID namespace (which only its next child enters), starts init.ts as that
 * child, passes signals on to it, waits, and exits with the container's
 * status: the process's exit code, or 128 + the signal that killed it.
 */
import { constants } from "node:os";
import { join } from "node:path";
import { createCgroup } from "./cgroups.ts";
import { readConfig } from "./config.ts";
import { check, CLONE, libc } from "./libc.ts";
import type { Plan } from "./init.ts";
import type { Quirks } from "./quirks.ts";
import { removeState, writeState } from "./state.ts";

const FORWARDED = ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"] as const;

export async function run(opts: { root: string; bundle: string; id: string; quirks: Quirks }): Promise<number> {
  const config = readConfig(opts.bundle);
  const cgroup = createCgroup(config, opts.quirks);
  try {
    if (config.namespaces.includes("pid") && !opts.quirks.noPidNamespace) check(libc.unshare(CLONE.pid), "unshare(pid)");
    if (opts.quirks.hostEnv) config.process.env = [...Object.entries(process.env).map(([k, v]) => `${k}=${v}`), ...config.process.env];
    const plan: Plan = { bundle: opts.bundle, config, quirks: opts.quirks, cgroupProcs: cgroup?.procs ?? [] };
    const child = Bun.spawn([process.execPath, join(import.meta.dir, "init.ts"), JSON.stringify(plan)], { stdio: ["inherit", "inherit", "inherit"], env: {} });
    writeState(opts.root, { id: opts.id, pid: child.pid, bundle: opts.bundle, status: "running" });
    if (!opts.quirks.noSignalForwarding) {
      for (const sig of opts.quirks.forwardTermOnly ? (["SIGTERM"] as const) : FORWARDED) process.on(sig, () => child.kill(sig));
    }
    const code = await child.exited;
    if (child.signalCode) return opts.quirks.signalExitOne ? 1 : 128 + (constants.signals[child.signalCode as keyof typeof constants.signals] ?? 0);
    return opts.quirks.exitZero ? 0 : code;
  } finally {
    cgroup?.remove();
    removeState(opts.root, opts.id);
  }
}
