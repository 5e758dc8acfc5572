/**
 * Runs synchronous code with this thread inside a named network namespace
 * (setns(2) on /run/netns/<name>), then switches back. A socket created there
 * stays in that namespace after the switch back, so the test process can send
 * and read traffic in a namespace without starting a helper process.
 */
import { readFileSync } from "node:fs";
import { check, CLONE_NEWNET, libc, openReadOnly } from "./libc.ts";

let home: number | undefined;

export function insideNetns<T>(ns: string, fn: () => T): T {
  home ??= openReadOnly("/proc/thread-self/ns/net");
  const target = openReadOnly(`/run/netns/${ns}`);
  try {
    if (libc.setns(target, CLONE_NEWNET) < 0) throw new Error(unmountedNamespace(ns));
    try {
      const result = fn();
      if (result instanceof Promise) throw new Error("insideNetns runs synchronous code only (an await would leave the thread in the namespace)");
      return result;
    } finally {
      check(libc.setns(home, CLONE_NEWNET), "setns back to the test's own network namespace");
    }
  } finally {
    libc.close(target);
  }
}

/**
 * Why a namespace the harness made can no longer be entered: its file in
 * /run/netns is there but no longer a namespace mount. Something unmounted
 * it: typically a mount namespace that shared propagation with the host
 * (made without MS_REC|MS_PRIVATE) and detached its copy of the host's mounts.
 */
export function unmountedNamespace(ns: string): string {
  return `the network namespace ${ns} is no longer mounted at /run/netns/${ns}: something on this machine unmounted it while the case ran (for example a process that made a new mount namespace without making its mounts private, MS_REC|MS_PRIVATE, then unmounted the host's mounts it shared, which propagates back to the host). This is not your program's doing: run the case again.`;
}

/** A /proc/net file (e.g. "packet", "dev") as seen inside the namespace. */
export function procNet(ns: string, file: string): string {
  return insideNetns(ns, () => readFileSync(`/proc/thread-self/net/${file}`, "utf8"));
}
