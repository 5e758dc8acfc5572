/**
 * `clone <url> [<dir>]` and `fetch [origin]` over git://: list the remote's
 * refs, fetch a pack of what is missing, index it into .git/objects/pack,
 * then write the remote-tracking refs (and, for a clone, the branch HEAD
 * names, the remote's config, and the working tree).
 * https://git-scm.com/docs/git-clone, https://git-scm.com/docs/git-fetch
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { checkoutTree } from "./checkout.ts";
import { GitError, ObjectStore } from "./objects.ts";
import { indexPack } from "./pack.ts";
import { listRefs, writeRef } from "./refs.ts";
import { init } from "./repo.ts";
import { Session, type RemoteRef } from "./remote.ts";


/** Fetches what `refs` need into the store (nothing when all is there); returns nothing. */
async function fetchInto(session: Session, store: ObjectStore, refs: RemoteRef[]): Promise<void> {
  const wants = [...new Set(refs.map((r) => r.oid))].filter((oid) => !store.has(oid));
  if (wants.length === 0) return;
  const haves = remoteSteps.haves(store.gitDir);
  const pack = await session.fetch(wants, haves);
  const { idx, checksum } = indexPack(pack, (oid) => (store.has(oid) ? store.get(oid) : undefined));
  const dir = join(store.gitDir, "objects", "pack");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `pack-${checksum}.pack`), pack, { mode: 0o444 });
  writeFileSync(join(dir, `pack-${checksum}.idx`), idx, { mode: 0o444 });
  store.rescanPacks();
}

/** Which of the remote's refs are copied, and which commits are sent as `have` (fixtures replace them). */
export const remoteSteps = {
  copies: (ref: RemoteRef): boolean => ref.name.startsWith("refs/heads/") || ref.name.startsWith("refs/tags/"),
  /** Every id our refs hold, so the pack brings only what is new. */
  haves: (gitDir: string): string[] => [...new Set([...listRefs(gitDir, "refs/").values()])],
  /** The local branch a clone makes, from the branch the remote HEAD names. */
  localBranch: (remoteHeadBranch: string): string => remoteHeadBranch,
  /** A clone checks out its branch (working tree and index). */
  checkout: true,
  /** A clone tracks every remote branch (else only the one HEAD names). */
  trackAll: true,
  /** A fetch also tracks branches that are new on the remote (else only those it already tracks). */
  fetchNewBranches: true,
  /** A fetch writes the remote's tags. */
  fetchTags: true,
};

/** Remote-tracking refs for the remote's branches, and its tags. */
function writeTracking(gitDir: string, refs: RemoteRef[]): void {
  for (const r of refs.filter(remoteSteps.copies)) {
    if (r.name.startsWith("refs/heads/")) writeRef(gitDir, `refs/remotes/origin/${r.name.slice("refs/heads/".length)}`, r.oid);
    else if (r.name.startsWith("refs/tags/")) writeRef(gitDir, r.name, r.oid);
  }
}

export async function clone(url: string, target: string | undefined): Promise<string> {
  const dir = resolve(target ?? basename(url).replace(/\.git$/, ""));
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new GitError(`destination path '${target}' already exists and is not an empty directory.`);
  const session = await Session.open(url);
  try {
    init(dir);
    const gitDir = join(dir, ".git");
    const store = new ObjectStore(gitDir);
    const refs = await session.lsRefs();
    const head = refs.find((r) => r.name === "HEAD");
    const branches = refs.filter((r) => r.name !== "HEAD");
    await fetchInto(session, store, branches);
    writeTracking(gitDir, remoteSteps.trackAll ? branches : branches.filter((r) => !r.name.startsWith("refs/heads/") || r.name === head?.symref));
    appendFileSync(join(gitDir, "config"), `[remote "origin"]\n\turl = ${url}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`);
    const remoteBranch = head?.symref?.startsWith("refs/heads/") ? head.symref.slice("refs/heads/".length) : undefined;
    if (remoteBranch && head) {
      const branch = remoteSteps.localBranch(remoteBranch);
      const oid = refs.find((r) => r.name === `refs/heads/${branch}`)?.oid ?? head.oid;
      writeFileSync(join(gitDir, "refs", "remotes", "origin", "HEAD"), `ref: refs/remotes/origin/${remoteBranch}\n`);
      writeRef(gitDir, `refs/heads/${branch}`, oid);
      writeFileSync(join(gitDir, "HEAD"), `ref: refs/heads/${branch}\n`);
      appendFileSync(join(gitDir, "config"), `[branch "${branch}"]\n\tremote = origin\n\tmerge = refs/heads/${branch}\n`);
      if (remoteSteps.checkout) checkoutTree(store, dir, oid);
    }
    return `Cloning into '${target ?? basename(dir)}'...\n`;
  } finally {
    session.close();
  }
}

/** The url of remote `name` in .git/config. */
export function remoteUrl(gitDir: string, name: string): string {
  const config = readFileSync(join(gitDir, "config"), "utf8");
  const section = config.split(/^\[/m).find((s) => s.startsWith(`remote "${name}"]`));
  const url = section && /^\s*url\s*=\s*(.+)$/m.exec(section)?.[1]?.trim();
  if (!url) throw new GitError(`'${name}' does not appear to be a git repository`);
  return url;
}

export async function fetch(gitDir: string, remote = "origin"): Promise<void> {
  const session = await Session.open(remoteUrl(gitDir, remote));
  try {
    const refs = (await session.lsRefs()).filter((r) => r.name !== "HEAD");
    await fetchInto(session, new ObjectStore(gitDir), refs);
    const tracked = listRefs(gitDir, "refs/remotes/origin/");
    writeTracking(
      gitDir,
      refs.filter((r) => (r.name.startsWith("refs/tags/") ? remoteSteps.fetchTags : remoteSteps.fetchNewBranches || tracked.has(`refs/remotes/origin/${r.name.slice("refs/heads/".length)}`))),
    );
  } finally {
    session.close();
  }
}
