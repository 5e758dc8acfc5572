/**
 * config.json's hooks (config.md "POSIX-platform Hooks", runtime.md
 * "Lifecycle"): programs of the host the runtime runs at points of the
 * container's life, each given the container's state as JSON on its
 * standard input.
 *
 * - prestart, then createRuntime: during create, once the container's
 *   process exists (its namespaces made) and before it runs the program.
 *   One that fails (non-zero exit, or past its timeout) is an error: the
 *   container is torn down, the poststop hooks run, create fails.
 * - createContainer: during create, after createRuntime, in the container's
 *   namespaces once its mounts are made and before pivot_root (the path is the
 *   runtime's): run by init.ts itself, between the mounts and pivot_root.
 * - startContainer: during start, in the container (after pivot_root: the path
 *   is the container's), before the program: run by init.ts once start's byte came.
 *   A createContainer or startContainer hook that fails is an error too: init
 *   exits, so the program never runs, and the runtime tears the container down.
 * - poststart: after start has let the program run; a failure is a warning.
 * - poststop: once the container is deleted; a failure is a warning.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Quirks } from "./quirks.ts";

export interface Hook {
  path: string;
  /** args[0] is the program's argv[0], as in execve. */
  args: string[];
  env: string[];
  /** Seconds. */
  timeout?: number;
}

export type HookKind = "prestart" | "createRuntime" | "createContainer" | "startContainer" | "poststart" | "poststop";

/** The kinds whose failure is an error (runtime.md "Lifecycle", steps 3–5 and 7). */
export type FatalHookKind = "prestart" | "createRuntime" | "createContainer" | "startContainer";

export type Hooks = Record<HookKind, Hook[]>;

export interface HookState {
  id: string;
  status: "creating" | "created" | "running" | "stopped";
  /** The container's process (host pid); left out once it is gone. */
  pid?: number;
  bundle: string;
}

const KINDS: HookKind[] = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"];

function hookOf(raw: unknown, where: string): Hook {
  const h = raw as Record<string, unknown>;
  if (typeof h !== "object" || h === null || typeof h.path !== "string") throw new Error(`config.json: ${where}.path must be a string`);
  const list = (v: unknown, name: string): string[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw new Error(`config.json: ${where}.${name} must be an array of strings`);
    return v as string[];
  };
  const timeout = typeof h.timeout === "number" && h.timeout > 0 ? h.timeout : undefined;
  return { path: h.path, args: list(h.args, "args"), env: list(h.env, "env"), timeout };
}

/** The hooks of the bundle's config.json (none when it has no "hooks"). */
export function readHooks(bundle: string): Hooks {
  const raw = (JSON.parse(readFileSync(join(bundle, "config.json"), "utf8")) as { hooks?: Record<string, unknown> }).hooks ?? {};
  const out = {} as Hooks;
  for (const kind of KINDS) {
    const list = raw[kind];
    out[kind] = Array.isArray(list) ? list.map((h, i) => hookOf(h, `hooks.${kind}[${i}]`)) : [];
  }
  return out;
}

export const hasHooks = (hooks: Hooks): boolean => KINDS.some((k) => hooks[k].length > 0);

/** Runs one hook to its end; the reason it failed, or undefined. */
function runHook(hook: Hook, state: HookState, quirks: Quirks): string | undefined {
  const json = JSON.stringify({ ociVersion: "1.0.2", id: state.id, status: state.status, ...(state.pid === undefined ? {} : { pid: state.pid }), bundle: state.bundle });
  const env = quirks.hookEnvInherited ? { ...process.env } : Object.fromEntries(hook.env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
  const r = Bun.spawnSync({
    cmd: [hook.path, ...hook.args.slice(1)],
    argv0: hook.args[0] ?? hook.path,
    env,
    stdin: quirks.hookStateMissing ? "ignore" : Buffer.from(json),
    stdout: "ignore",
    stderr: "pipe",
    timeout: hook.timeout === undefined || quirks.hookTimeoutIgnored ? undefined : hook.timeout * 1000,
  });
  const stderr = r.stderr.toString().trim().slice(-500);
  if (r.exitedDueToTimeout) return `timed out after ${hook.timeout} s`;
  if (r.exitCode === 0) return undefined;
  return `${r.exitCode === null ? `killed by ${r.signalCode}` : `exit status ${r.exitCode}`}${stderr ? `: ${stderr}` : ""}`;
}

/** Whether a broken fixture carries on past a failing hook of `kind`. */
function failureIgnored(kind: FatalHookKind, quirks: Quirks): boolean {
  if (kind === "createContainer") return quirks.createContainerFailureIgnored === true;
  if (kind === "startContainer") return quirks.startContainerFailureIgnored === true;
  return quirks.prestartFailureIgnored === true;
}

/** Runs the hooks of `kind` in order; the first that fails stops them and throws (prestart, createRuntime, createContainer, startContainer). */
export function runHooks(hooks: Hooks, kind: FatalHookKind, state: HookState, quirks: Quirks): void {
  hooks[kind].forEach((hook, i) => {
    const failed = runHook(hook, state, quirks);
    if (failed !== undefined && !failureIgnored(kind, quirks)) throw new Error(`${kind} hook #${i} (${hook.path}) failed: ${failed}`);
  });
}

/** Runs every hook of `kind`; a failure is a warning on stderr (poststart, poststop). */
export function runHooksWarning(hooks: Hooks, kind: "poststart" | "poststop", state: HookState, quirks: Quirks): void {
  if ((kind === "poststart" && quirks.poststartIgnored) || (kind === "poststop" && quirks.poststopIgnored)) return;
  hooks[kind].forEach((hook, i) => {
    const failed = runHook(hook, state, quirks);
    if (failed !== undefined) process.stderr.write(`warning: ${kind} hook #${i} (${hook.path}) failed: ${failed}\n`);
  });
}
