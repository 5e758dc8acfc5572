/**
 * The history the network stages serve: made by real git from the seed —
 * commits on master and on a second branch, an annotated tag and a
 * lightweight one — and copied bare to where a server serves it.
 */
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { GitCase } from "./git.ts";
import { commitWithDate, linearHistory } from "./git-history.ts";
import { randomFiles } from "./git-repo.ts";

/** Makes the history in `<case dir>/<src>` and clones it bare to `bare`; returns the source repository. */
export async function servedHistory(t: CaseContext, g: GitCase, bare: string, src = "src"): Promise<string> {
  const repo = await g.realRepo(src, randomFiles(t.rand, { depth: 2 }));
  await g.git(["add", "-A"], { cwd: repo });
  await commitWithDate(t, g, repo, 0);
  await linearHistory(t, g, repo, 2);
  await g.git(["tag", "-a", `v1.${t.rand.int(0, 9)}`, "-m", `Release ${t.rand.word()}`], { cwd: repo });
  const branch = `${t.rand.word()}-work`;
  await g.git(["checkout", "-q", "-b", branch], { cwd: repo });
  await linearHistory(t, g, repo, 2, 5);
  await g.git(["tag", `${t.rand.word()}-mark`], { cwd: repo });
  await g.git(["checkout", "-q", "master"], { cwd: repo });
  await g.git(["clone", "-q", "--bare", repo, bare], { cwd: t.dir });
  return repo;
}

/** What the network stages compare: every ref with its id and type. */
export const REFS = ["for-each-ref", "--format=%(objectname) %(objecttype) %(refname)"];

/** Real git's output in `repo` (empty when it fails). */
export async function view(g: GitCase, repo: string, args: string[]): Promise<string> {
  return (await g.git(args, { cwd: repo, allowFail: true })).stdout;
}

/** Points the bare repository's HEAD at its branch other than master, so a program that assumes master shows. */
export async function headOnOtherBranch(g: GitCase, bare: string): Promise<void> {
  const other = (await g.git(["for-each-ref", "--format=%(refname)", "refs/heads/"], { cwd: bare })).stdout.split("\n").find((r) => r !== "" && r !== "refs/heads/master");
  if (other === undefined) throw new Error("test bug: the served repository has no branch besides master");
  await g.git(["symbolic-ref", "HEAD", other], { cwd: bare });
}

/**
 * Pushes `src`'s master to the branch the clone `work` has checked out (when that is not master), so that
 * a fetch that moves local branches (it must move only refs/remotes/origin/*) shows on every seed.
 */
export async function advanceCheckedOutBranch(g: GitCase, work: string, bare: string, src: string): Promise<void> {
  const checkedOut = (await view(g, work, ["symbolic-ref", "--short", "HEAD"])).trim();
  if (checkedOut !== "master") await g.git(["push", "-q", "-f", bare, `master:refs/heads/${checkedOut}`], { cwd: src });
}
