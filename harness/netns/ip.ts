/** Runs iproute2 (and sysctl, iptables) synchronously; a failure throws with the command and its stderr. */
import { shellLine } from "../report/show.ts";
import { unmountedNamespace } from "./inside.ts";

export function sh(argv: string[]): string {
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  const err = r.stderr.toString().trim();
  if (r.exitCode !== 0) throw new Error(`\`${shellLine(argv)}\` failed (exit ${r.exitCode}): ${err}${/setting the network namespace "([^"]+)" failed/.test(err) ? ` — ${unmountedNamespace(/"([^"]+)"/.exec(err)![1]!)}` : ""}`);
  return r.stdout.toString();
}

/** Like sh, but never throws: for clean-up. Returns whether it succeeded. */
export function shQuiet(argv: string[]): boolean {
  return Bun.spawnSync(argv, { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
}

/** `ip netns exec <ns> …argv`: a command inside a namespace, in the form a learner can re-run. */
export function inNs(ns: string, argv: readonly string[]): string[] {
  return ["ip", "netns", "exec", ns, ...argv];
}

/** `sysctl -qw key=value` inside a namespace. */
export function sysctl(ns: string, key: string, value: string | number): void {
  sh(inNs(ns, ["sysctl", "-qw", `${key}=${value}`]));
}
