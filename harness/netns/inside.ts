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
    check(libc.setns(target, CLONE_NEWNET), `setns into network namespace ${ns}`);
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

/** A /proc/net file (e.g. "packet", "dev") as seen inside the namespace. */
export function procNet(ns: string, file: string): string {
  return insideNetns(ns, () => readFileSync(`/proc/thread-self/net/${file}`, "utf8"));
}
