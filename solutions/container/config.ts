/**
 * The parts of an OCI bundle's config.json this runtime understands
 * (https://github.com/opencontainers/runtime-spec/blob/main/config.md),
 * read and checked once, so the rest of the runtime works on typed values.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { Seccomp } from "./seccomp.ts";

export type NamespaceType = "pid" | "network" | "mount" | "ipc" | "uts" | "user" | "cgroup";
const NAMESPACE_TYPES: NamespaceType[] = ["pid", "network", "mount", "ipc", "uts", "user", "cgroup"];

export interface Mount {
  destination: string;
  type?: string;
  source?: string;
  options: string[];
}

/** process.capabilities: capability names (CAP_CHOWN…) per set; a set left out of config.json is undefined. */
export interface Capabilities {
  bounding?: string[];
  effective?: string[];
  permitted?: string[];
  inheritable?: string[];
  ambient?: string[];
}

export interface Config {
  process: {
    args: string[];
    env: string[];
    cwd: string;
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids: number[] };
    capabilities?: Capabilities;
    noNewPrivileges: boolean;
  };
  /** Absolute path of the root filesystem. */
  rootfs: string;
  readonlyRoot: boolean;
  hostname?: string;
  domainname?: string;
  mounts: Mount[];
  namespaces: NamespaceType[];
  cgroupsPath?: string;
  resources: { memoryLimit?: number; pidsLimit?: number; cpuQuota?: number; cpuPeriod?: number };
  maskedPaths: string[];
  readonlyPaths: string[];
  uidMappings: IdMapping[];
  gidMappings: IdMapping[];
  /** linux.seccomp, read by seccomp.ts. */
  seccomp?: Seccomp;
}

/** linux.uidMappings / gidMappings: container ids [containerID, containerID + size) are host ids from hostID. */
export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export class ConfigError extends Error {}

type Json = Record<string, unknown>;

function obj(v: unknown, where: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ConfigError(`${where} must be an object`);
  return v as Json;
}

function strings(v: unknown, where: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw new ConfigError(`${where} must be an array of strings`);
  return v as string[];
}

function optionalNumber(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ConfigError(`${where} must be a number`);
  return v;
}

function mappings(v: unknown, where: string): IdMapping[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ConfigError(`${where} must be an array`);
  return v.map((m, i) => {
    const o = obj(m, `${where}[${i}]`);
    const n = (k: string) => {
      const x = o[k];
      if (typeof x !== "number" || !Number.isInteger(x) || x < 0) throw new ConfigError(`${where}[${i}].${k} must be a non-negative integer`);
      return x;
    };
    return { containerID: n("containerID"), hostID: n("hostID"), size: n("size") };
  });
}

function seccompOf(raw: unknown): Seccomp {
  try {
    // Loaded only for a config with linux.seccomp: every module costs start-up time.
    return (require("./seccomp.ts") as typeof import("./seccomp.ts")).parseSeccomp(raw);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}

export function readConfig(bundle: string): Config {
  const file = join(bundle, "config.json");
  let raw: Json;
  try {
    raw = obj(JSON.parse(readFileSync(file, "utf8")), "config.json");
  } catch (e) {
    throw new ConfigError(e instanceof ConfigError ? e.message : `cannot read ${file}: ${(e as Error).message}`);
  }
  const proc = obj(raw.process, "process");
  const args = strings(proc.args, "process.args");
  if (args.length === 0) throw new ConfigError("process.args must name the program to run");
  const cwd = typeof proc.cwd === "string" ? proc.cwd : "/";
  if (!isAbsolute(cwd)) throw new ConfigError("process.cwd must be an absolute path");
  const user = proc.user === undefined ? {} : obj(proc.user, "process.user");
  const id = (v: unknown, where: string): number => {
    const n = optionalNumber(v, where) ?? 0;
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${where} must be a non-negative integer`);
    return n;
  };
  const additionalGids = (Array.isArray(user.additionalGids) ? user.additionalGids : []).map((g, i) => id(g, `process.user.additionalGids[${i}]`));
  let capabilities: Capabilities | undefined;
  if (proc.capabilities !== undefined) {
    const caps = obj(proc.capabilities, "process.capabilities");
    capabilities = {};
    for (const set of ["bounding", "effective", "permitted", "inheritable", "ambient"] as const) {
      if (caps[set] !== undefined) capabilities[set] = strings(caps[set], `process.capabilities.${set}`);
    }
  }
  const root = obj(raw.root, "root");
  if (typeof root.path !== "string") throw new ConfigError("root.path must be a path");
  const linux = raw.linux === undefined ? {} : obj(raw.linux, "linux");
  const namespaces = (Array.isArray(linux.namespaces) ? linux.namespaces : []).map((n, i) => {
    const type = obj(n, `linux.namespaces[${i}]`).type;
    if (!NAMESPACE_TYPES.includes(type as NamespaceType)) throw new ConfigError(`linux.namespaces[${i}].type "${String(type)}" is not a namespace type`);
    if (obj(n, "").path !== undefined) throw new ConfigError(`linux.namespaces[${i}].path: joining an existing namespace is not supported`);
    return type as NamespaceType;
  });
  const mounts = (Array.isArray(raw.mounts) ? raw.mounts : []).map((m, i): Mount => {
    const o = obj(m, `mounts[${i}]`);
    if (typeof o.destination !== "string" || !isAbsolute(o.destination)) throw new ConfigError(`mounts[${i}].destination must be an absolute path`);
    return { destination: o.destination, type: o.type as string | undefined, source: o.source as string | undefined, options: strings(o.options, `mounts[${i}].options`) };
  });
  const resources = linux.resources === undefined ? {} : obj(linux.resources, "linux.resources");
  const memory = resources.memory === undefined ? {} : obj(resources.memory, "linux.resources.memory");
  const pids = resources.pids === undefined ? {} : obj(resources.pids, "linux.resources.pids");
  const cpu = resources.cpu === undefined ? {} : obj(resources.cpu, "linux.resources.cpu");
  return {
    process: {
      args,
      env: strings(proc.env, "process.env"),
      cwd,
      terminal: proc.terminal === true,
      user: { uid: id(user.uid, "process.user.uid"), gid: id(user.gid, "process.user.gid"), additionalGids },
      capabilities,
      noNewPrivileges: proc.noNewPrivileges === true,
    },
    rootfs: isAbsolute(root.path) ? root.path : join(bundle, root.path),
    readonlyRoot: root.readonly === true,
    hostname: typeof raw.hostname === "string" ? raw.hostname : undefined,
    domainname: typeof raw.domainname === "string" ? raw.domainname : undefined,
    mounts,
    namespaces,
    cgroupsPath: typeof linux.cgroupsPath === "string" ? linux.cgroupsPath : undefined,
    resources: {
      memoryLimit: optionalNumber(memory.limit, "linux.resources.memory.limit"),
      pidsLimit: optionalNumber(pids.limit, "linux.resources.pids.limit"),
      cpuQuota: optionalNumber(cpu.quota, "linux.resources.cpu.quota"),
      cpuPeriod: optionalNumber(cpu.period, "linux.resources.cpu.period"),
    },
    maskedPaths: strings(linux.maskedPaths, "linux.maskedPaths"),
    readonlyPaths: strings(linux.readonlyPaths, "linux.readonlyPaths"),
    uidMappings: mappings(linux.uidMappings, "linux.uidMappings"),
    gidMappings: mappings(linux.gidMappings, "linux.gidMappings"),
    seccomp: linux.seccomp === undefined ? undefined : seccompOf(linux.seccomp),
  };
}
