/** Paths given on the command line, as paths from the top of the work tree. */
import { relative, resolve } from "node:path";
import { GitError } from "./objects.ts";

/** `arg` (relative to the current directory) as a path from the work tree's top, "" for the top itself. */
export function fromTop(workTree: string, arg: string): string {
  const rel = relative(workTree, resolve(arg)).split("\\").join("/");
  if (rel.startsWith("..")) throw new GitError(`${arg}: '${arg}' is outside repository`);
  return rel;
}

/** Whether `path` is `spec` or lies below it ("" matches everything). */
export function matches(spec: string, path: string): boolean {
  return spec === "" || path === spec || path.startsWith(`${spec}/`);
}
