/** Finding and creating the repository (.git) a command works in. */
import { existsSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { GitError } from "./objects.ts";

/** The .git directory of the repository containing `start`, walking up. */
export function findGitDir(start: string): { gitDir: string; workTree: string } {
  let dir = resolve(start);
  for (;;) {
    const gitDir = join(dir, ".git");
    if (existsSync(join(gitDir, "HEAD"))) return { gitDir, workTree: dir };
    const parent = dirname(dir);
    if (parent === dir) throw new GitError("not a git repository (or any of the parent directories): .git");
    dir = parent;
  }
}

/** `git init [<dir>]`: HEAD, config, objects/ and refs/; returns the message git prints. */
export function init(target: string): string {
  mkdirSync(target, { recursive: true });
  const gitDir = join(realpathSync(target), ".git");
  const existed = existsSync(join(gitDir, "HEAD"));
  for (const sub of ["objects/info", "objects/pack", "refs/heads", "refs/tags"]) mkdirSync(join(gitDir, sub), { recursive: true });
  if (!existed) {
    writeFileSync(join(gitDir, "HEAD"), "ref: refs/heads/master\n");
    writeFileSync(join(gitDir, "config"), "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n");
    writeFileSync(join(gitDir, "description"), "Unnamed repository; edit this file 'description' to name the repository.\n");
  }
  return `${existed ? "Reinitialized existing" : "Initialized empty"} Git repository in ${gitDir}/\n`;
}
