/** The runtime's record of a container, under --root (runtime.md "State"). */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface State {
  id: string;
  pid: number;
  bundle: string;
  status: "creating" | "created" | "running" | "stopped";
}

export function stateDir(root: string, id: string): string {
  return join(root, id);
}

export function exists(root: string, id: string): boolean {
  return existsSync(stateDir(root, id));
}

export function writeState(root: string, s: State): void {
  mkdirSync(stateDir(root, s.id), { recursive: true });
  writeFileSync(join(stateDir(root, s.id), "state.json"), JSON.stringify({ ociVersion: "1.0.2", ...s }));
}

export function removeState(root: string, id: string): void {
  rmSync(stateDir(root, id), { recursive: true, force: true });
}
