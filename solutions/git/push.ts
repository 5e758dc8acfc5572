/**
 * `push [<remote> [[+]<src>[:<dst>]...]]` as a client of git-receive-pack
 * (git:// or smart HTTP): compares the remote's refs with ours, refuses an
 * update that is not a fast-forward (as git does, before sending anything),
 * sends the commands and a pack of what the remote lacks, and prints git's
 * status table from the server's report.
 * https://git-scm.com/docs/git-push, https://git-scm.com/docs/git-receive-pack,
 * https://git-scm.com/docs/gitprotocol-pack#_pushing_data_to_a_server
 */
import { remoteUrl } from "./clone.ts";
import { GitError, type ObjectStore } from "./objects.ts";
import { writePack } from "./pack.ts";
import { isAncestor, reachable } from "./reachable.ts";
import { currentBranch, readRef, writeRef } from "./refs.ts";
import { ReceiveSession, ZERO_ID, type RefUpdate } from "./remote.ts";


/** How a push decides (a fixture replaces it). */
export const pushSteps = {
  /** Whether an update that would lose the remote's commits is refused. */
  checkFastForward: true,
  /** The objects to send: what the new tips reach, short of what the server's refs reach. */
  objects: (store: ObjectStore, tips: string[], theirs: string[]): Set<string> => reachable(store, tips, reachable(store, theirs)),
  /** How many hex digits of an id the status table shows. */
  abbrev: 7,
  /** Whether the refs not refused are still pushed when one is refused before sending. */
  othersOnRejection: true,
};

interface Planned extends RefUpdate {
  src: string;
  force: boolean;
  /** Set when refused before sending: `fetch first`, `non-fast-forward`; or `up-to-date`. */
  status?: "rejected" | "up-to-date";
  reason?: string;
}

/** `master` for refs/heads/master, `v1` for refs/tags/v1. */
function short(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, "");
}

/** A local name to its full ref: a branch, else a tag, else as given if it is a full ref. */
function fullRef(gitDir: string, name: string): string {
  if (name === "HEAD") {
    const b = currentBranch(gitDir);
    if (!b) throw new GitError("You are not currently on a branch.");
    return `refs/heads/${b}`;
  }
  for (const ref of [name, `refs/heads/${name}`, `refs/tags/${name}`]) if (ref.startsWith("refs/") && readRef(gitDir, ref)) return ref;
  throw new GitError(`src refspec ${name} does not match any`);
}

/** git's status line: ` <flag> <summary padded to 17> <src> -> <dst>[ (<reason>)]`. */
function line(flag: string, summary: string, p: Planned, reason?: string): string {
  return ` ${flag} ${summary.padEnd(17)} ${short(p.src)} -> ${short(p.ref)}${reason ? ` (${reason})` : ""}\n`;
}

const abbrev = (oid: string) => oid.slice(0, pushSteps.abbrev);

export async function push(store: ObjectStore, remote: string, specs: string[]): Promise<{ code: number; stderr: string }> {
  const gitDir = store.gitDir;
  const url = remoteUrl(gitDir, remote);
  const plans: Planned[] = (specs.length > 0 ? specs : ["HEAD"]).map((spec) => {
    const force = spec.startsWith("+");
    const [srcName, dstName] = spec.replace(/^\+/, "").split(":");
    const src = fullRef(gitDir, srcName!);
    const ref = dstName ? (dstName.startsWith("refs/") ? dstName : `${src.startsWith("refs/tags/") ? "refs/tags/" : "refs/heads/"}${dstName}`) : src;
    return { src, ref, force, old: ZERO_ID, new: readRef(gitDir, src)! };
  });
  const session = await ReceiveSession.open(url);
  try {
    for (const p of plans) {
      p.old = session.refs.get(p.ref) ?? ZERO_ID;
      if (p.old === p.new) p.status = "up-to-date";
      else if (p.old !== ZERO_ID && !p.force && pushSteps.checkFastForward) {
        if (!store.has(p.old)) [p.status, p.reason] = ["rejected", "fetch first"];
        else if (!isAncestor(store, p.old, p.new)) [p.status, p.reason] = ["rejected", "non-fast-forward"];
      }
    }
    if (!pushSteps.othersOnRejection && plans.some((p) => p.status === "rejected")) for (const p of plans) p.status ??= "up-to-date";
    const sending = plans.filter((p) => p.status === undefined);
    let out = "";
    if (sending.length > 0) {
      const theirs = [...session.refs.values()].filter((oid) => store.has(oid));
      const objects = pushSteps.objects(store, sending.map((p) => p.new), theirs);
      const { pack } = writePack([...objects].map((oid) => ({ oid, ...store.get(oid) })));
      const report = await session.push(sending, pack);
      for (const p of sending) {
        const r = report.refs.get(p.ref);
        if (report.unpack !== "ok") [p.status, p.reason] = ["rejected", `unpacker error`];
        else if (r && !r.ok) [p.status, p.reason] = ["rejected", r.reason];
      }
      // Remote-tracking refs follow what the remote accepted.
      for (const p of sending) if (p.status === undefined && p.ref.startsWith("refs/heads/")) writeRef(gitDir, `refs/remotes/${remote}/${short(p.ref)}`, p.new);
      out += `To ${url}\n`;
      for (const p of sending.filter((s) => s.status === undefined)) {
        if (p.old === ZERO_ID) out += line("*", p.ref.startsWith("refs/tags/") ? "[new tag]" : "[new branch]", p);
        else if (p.force && !isAncestor(store, p.old, p.new)) out += line("+", `${abbrev(p.old)}...${abbrev(p.new)}`, p, "forced update");
        else out += line(" ", `${abbrev(p.old)}..${abbrev(p.new)}`, p);
      }
    }
    const rejected = plans.filter((p) => p.status === "rejected");
    if (rejected.length === 0) return { code: 0, stderr: sending.length === 0 ? "Everything up-to-date\n" : out };
    if (sending.length === 0) out += `To ${url}\n`;
    for (const p of rejected) out += line("!", p.reason === "fetch first" || p.reason === "non-fast-forward" ? "[rejected]" : "[remote rejected]", p, p.reason);
    out += `error: failed to push some refs to '${url}'\n`;
    if (rejected.some((p) => p.reason === "non-fast-forward"))
      out += "hint: Updates were rejected because a pushed branch tip is behind its remote\nhint: counterpart. Integrate the remote changes (e.g.\nhint: 'git pull ...') before pushing again.\n";
    if (rejected.some((p) => p.reason === "fetch first"))
      out += "hint: Updates were rejected because the remote contains work that you do\nhint: not have locally. Integrate the remote changes (e.g.\nhint: 'git pull ...') before pushing again.\n";
    return { code: 1, stderr: out };
  } finally {
    session.close();
  }
}
