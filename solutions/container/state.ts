/**
 * The runtime's record of a container, under --root (runtime.md "State"):
 * <root>/<id>/state.json, and <root>/<id>/exec.fifo while the container is
 * created but not started. The status is not stored but seen: the
 * container's process alive and the fifo there: created; alive without it:
 * running; gone (or a zombie, or its pid reused): stopped.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type Status = "creating" | "created" | "running" | "stopped";

export interface State {
  id: string;
  /** Host pid of the container's process. */
  pid: number;
  /** Its start time (/proc/<pid>/stat field 22): with the pid, it names one process even after the pid is reused. */
  startTime: number;
  bundle: string;
  cgroupsPath?: string;
  /** create --network: what delete undoes (network.ts). */
  network?: import("./network.ts").NetworkRecord;
  created: string;
  /** What the runtime last did to it (created by create, running after start): never trusted for the status, but by one broken fixture. */
  recorded: Status;
}

export function stateDir(root: string, id: string): string {
  return join(root, id);
}

export function execFifo(root: string, id: string): string {
  return join(stateDir(root, id), "exec.fifo");
}

export function exists(root: string, id: string): boolean {
  return existsSync(join(stateDir(root, id), "state.json"));
}

export function writeState(root: string, s: State): void {
  mkdirSync(stateDir(root, s.id), { recursive: true });
  writeFileSync(join(stateDir(root, s.id), "state.json"), JSON.stringify(s));
}

export function readState(root: string, id: string): State {
  try {
    return JSON.parse(readFileSync(join(stateDir(root, id), "state.json"), "utf8")) as State;
  } catch {
    throw new Error(`container "${id}" does not exist`);
  }
}

export function removeState(root: string, id: string): void {
  rmSync(stateDir(root, id), { recursive: true, force: true });
}

/** /proc/<pid>/stat: the process's state letter and start time, or undefined when there is no such process. */
export function procStat(pid: number): { state: string; startTime: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0]!, startTime: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

export function statusOf(root: string, s: State, fromFile = false): Status {
  if (fromFile) return s.recorded;
  const p = procStat(s.pid);
  if (p === undefined || p.state === "Z" || p.state === "X" || p.startTime !== s.startTime) return "stopped";
  return existsSync(execFifo(root, s.id)) ? "created" : "running";
}
