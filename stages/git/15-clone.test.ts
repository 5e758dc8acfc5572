import { readdirSync } from "node:fs";
import { join } from "node:path";
import { GitCase } from "../../challenges/git/clients/git.ts";
import { verifyPackObjects } from "../../challenges/git/clients/git-pack.ts";
import { daemonDiagnosis, startDaemon, type Daemon } from "../../challenges/git/clients/git-daemon.ts";
import { linearHistory } from "../../challenges/git/clients/git-history.ts";
import { advanceCheckedOutBranch, headOnOtherBranch, REFS, servedHistory, view } from "../../challenges/git/clients/git-served.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const PROTOCOL =
  "Connect to the daemon's port and send one pkt-line `git-upload-pack /<path>\\0host=<host>:<port>\\0\\0version=2\\0`; read the capability advertisement (up to a flush-pkt 0000). `command=ls-refs` (with `symrefs`, `peel` and `ref-prefix` arguments after a delim-pkt 0001) lists `<id> <refname>` lines, HEAD with `symref-target:<branch>`. `command=fetch` with `want <id>` lines, `have <id>` lines for what you hold, and `done` gets a `packfile` section: pkt-lines whose first byte is the side-band (1 the pack, 2 progress, 3 an error).";
const INDEX = "Store the pack you receive under .git/objects/pack/ with its .idx (stage 14): name every object by hashing it, resolving deltas against their bases in the pack.";
const CLONE_REFS =
  "After a clone: refs/remotes/origin/<branch> for each of the remote's branches, refs/remotes/origin/HEAD as `ref: refs/remotes/origin/<its HEAD's branch>`, its tags under refs/tags/ (an annotated tag names the tag object, not the commit), and a local branch named like the remote HEAD's, at the same commit, that .git/HEAD names.";
const CLONE_CONFIG = "Record the remote in .git/config so that fetch finds it: a `[remote \"origin\"]` section with `url = <the URL>` and `fetch = +refs/heads/*:refs/remotes/origin/*`.";
const FETCH = "fetch asks the remote in .git/config for its refs, fetches the objects you lack (send `have` lines for your refs, so the pack holds only what is new), and moves refs/remotes/origin/<branch> for each remote branch (new branches too), and writes the remote's tags (refs/tags/<name>); it leaves the local branches and the working tree alone.";

/** A history with a second branch, an annotated and a lightweight tag, served bare by the daemon as `<name>.git`. */
async function servedRepo(t: CaseContext, g: GitCase, d: Daemon, name: string): Promise<string> {
  const bare = d.path(name);
  const src = await servedHistory(t, g, bare);
  // HEAD names the second branch, not master: a clone checks out the branch the remote HEAD names.
  await headOnOtherBranch(g, bare);
  return src;
}

/** Runs the program's clone or fetch against git daemon; when it fails, the report says what the daemon's log shows went wrong. */
async function oursThroughDaemon(t: CaseContext, g: GitCase, d: Daemon, args: string[], cwd: string): Promise<void> {
  const since = d.log().length;
  const r = await g.ours(args, { cwd, allowFail: true });
  if (r.code === 0) return;
  await Bun.sleep(100); // the daemon's last lines for the connection
  const why = daemonDiagnosis(d.log(), since);
  t.fail({ message: `Your program exited with code ${r.code} on: ${args.join(" ")}`, hint: why === undefined ? PROTOCOL : `${why} ${PROTOCOL}` });
}

export default stage(import.meta, [
  {
    name: "clone from git daemon: objects, refs, HEAD and working tree",
    async run(t) {
      const g = GitCase.start(t);
      const d = await startDaemon(t, g);
      const name = `${t.rand.word()}-project`;
      await servedRepo(t, g, d, name);
      await g.git(["clone", "-q", d.url(name), "real-clone"], { cwd: t.dir });
      await oursThroughDaemon(t, g, d, ["clone", d.url(name), "ours-clone"], t.dir);
      const ours = `${t.dir}/ours-clone`;
      const real = `${t.dir}/real-clone`;
      await g.fsck(ours, () => `${INDEX} Every object the refs reach must be there.`);
      t.expectEqual(await view(g, ours, REFS), await view(g, real, REFS), { message: "The refs of your clone (git for-each-ref) differ from those of real git's clone.", hint: CLONE_REFS });
      t.expectEqual(await view(g, ours, ["symbolic-ref", "HEAD"]), await view(g, real, ["symbolic-ref", "HEAD"]), { message: "HEAD of your clone should name the same branch as real git's clone.", hint: CLONE_REFS });
      t.expectEqual(await view(g, ours, ["status", "--porcelain"]), "", { message: "In your clone, real git's status --porcelain should be empty: check out HEAD's tree into the working tree and the index.", hint: "After fetching, a clone checks out its branch (stage 12): every file of the tree written, and the index." });
      t.expectEqual(await view(g, ours, ["config", "--get", "remote.origin.url"]), `${d.url(name)}\n`, { message: "Your clone should record the remote's URL as remote.origin.url.", hint: CLONE_CONFIG });
      t.expectEqual(await view(g, ours, ["config", "--get", "remote.origin.fetch"]), "+refs/heads/*:refs/remotes/origin/*\n", { message: "Your clone should record the remote's refspec as remote.origin.fetch.", hint: CLONE_CONFIG });
      const originHead = (await g.git(["symbolic-ref", "-q", "refs/remotes/origin/HEAD"], { cwd: ours, allowFail: true })).stdout;
      t.expectEqual(originHead, await view(g, real, ["symbolic-ref", "refs/remotes/origin/HEAD"]), { message: "In your clone, refs/remotes/origin/HEAD should be a symbolic ref to the remote HEAD's branch.", hint: `Write .git/refs/remotes/origin/HEAD as \`ref: refs/remotes/origin/<branch>\` and a newline, not an id. ${CLONE_REFS}` });
    },
  },
  {
    name: "fetch brings new commits, branches and tags from git daemon",
    async run(t) {
      const g = GitCase.start(t);
      const d = await startDaemon(t, g);
      const name = `${t.rand.word()}-repo`;
      const src = await servedRepo(t, g, d, name);
      await g.git(["clone", "-q", d.url(name), "work"], { cwd: t.dir });
      await g.git(["clone", "-q", d.url(name), "real-work"], { cwd: t.dir });
      await linearHistory(t, g, src, 2, 10);
      const fresh = `${t.rand.word()}-new`;
      await g.git(["branch", fresh, "HEAD~1"], { cwd: src });
      await g.git(["tag", "-a", `v2.${t.rand.int(0, 9)}`, "-m", "Second"], { cwd: src });
      await g.git(["push", "-q", "--tags", d.path(name), "master", fresh], { cwd: src });
      await advanceCheckedOutBranch(g, `${t.dir}/work`, d.path(name), src);
      const ours = `${t.dir}/work`;
      const real = `${t.dir}/real-work`;
      const before = await view(g, ours, ["rev-parse", "HEAD"]);
      const oldTips = (await view(g, ours, ["for-each-ref", "--format=%(objectname)"])).split("\n").filter(Boolean);
      const packDir = join(ours, ".git", "objects", "pack");
      const oldPacks = readdirSync(packDir);
      await oursThroughDaemon(t, g, d, ["fetch"], ours);
      await g.git(["fetch", "-q", "--tags"], { cwd: real });
      await g.fsck(ours, () => `${INDEX} A fetched pack may hold deltas against objects in it only (the tests do not ask for thin packs).`);
      t.expectEqual(await view(g, ours, [...REFS, "refs/remotes", "refs/tags"]), await view(g, real, [...REFS, "refs/remotes", "refs/tags"]), { message: "After fetch, the remote-tracking refs and tags (git for-each-ref) differ from those after real git's fetch.", hint: FETCH });
      t.expectEqual(await view(g, ours, ["rev-parse", "HEAD"]), before, { message: "fetch should not move the local branch.", hint: FETCH });
      t.expectEqual(await view(g, ours, ["status", "--porcelain"]), "", { message: "fetch should not change the working tree or the index.", hint: FETCH });
      // Only what is new: the objects the new refs reach and the old ones do not.
      const newObjects = (await view(g, ours, ["rev-list", "--objects", "--all", "--not", ...oldTips])).split("\n").filter(Boolean).length;
      let fetched = 0;
      for (const idx of readdirSync(packDir).filter((f) => f.endsWith(".idx") && !oldPacks.includes(f))) fetched += verifyPackObjects(await view(g, ours, ["verify-pack", "-v", join(packDir, idx)])).length;
      if (fetched > newObjects) t.fail({ message: `fetch stored a pack of ${fetched} objects, though only ${newObjects} are new (reachable from the new refs and not from the ones the clone had).`, hint: `Send a \`have <id>\` line for each id your refs hold before \`done\`: the remote then leaves out what you have. ${FETCH}` });
    },
  },
]);
