/**
 * `git branch`: list the branches (`* ` before the current one, two spaces
 * before the others, in name order) or create one at a commit.
 * https://git-scm.com/docs/git-branch
 */
import { GitError } from "./objects.ts";
import { currentBranch, listRefs, readRef, writeRef } from "./refs.ts";

export function listBranches(gitDir: string): string {
  const current = currentBranch(gitDir);
  return [...listRefs(gitDir, "refs/heads/").keys()]
    .map((ref) => ref.slice("refs/heads/".length))
    .map((name) => `${name === current ? "*" : " "} ${name}\n`)
    .join("");
}

export function createBranch(gitDir: string, name: string, commit: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(name) || name.includes("..") || name.endsWith(".lock") || name.endsWith("/")) throw new GitError(`'${name}' is not a valid branch name.`);
  if (readRef(gitDir, `refs/heads/${name}`) !== undefined) throw new GitError(`a branch named '${name}' already exists`);
  writeRef(gitDir, `refs/heads/${name}`, commit);
}
