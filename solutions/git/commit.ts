/**
 * Commit objects, as `git commit-tree` writes them:
 *   tree <id>\nparent <id>\n…author <ident> <date>\ncommitter <ident> <date>\n\n<message>
 * https://git-scm.com/docs/git-commit-tree
 */

/** `Name <email> <unix time> <+hhmm>` from GIT_<ROLE>_NAME, _EMAIL and _DATE (or now). */
export function ident(role: "AUTHOR" | "COMMITTER", env: Record<string, string | undefined>, now: Date): string {
  const name = env[`GIT_${role}_NAME`] ?? "syscraft";
  const email = env[`GIT_${role}_EMAIL`] ?? "syscraft@localhost";
  return `${name} <${email}> ${gitDate(env[`GIT_${role}_DATE`], now)}`;
}

/** The dates the tests use: "<unix time> <+hhmm>" (git's internal format) or "@<unix time> [<+hhmm>]"; otherwise now. */
function gitDate(value: string | undefined, now: Date): string {
  const m = value === undefined ? null : /^@?(\d+)(?: ([+-]\d{4}))?$/.exec(value.trim());
  if (m) return `${m[1]} ${m[2] ?? "+0000"}`;
  return `${Math.floor(now.getTime() / 1000)} +0000`;
}

export interface CommitFields {
  tree: string;
  parents: string[];
  author: string;
  committer: string;
  /** Each -m is a paragraph. */
  messages: string[];
}

export function encodeCommit(c: CommitFields): Uint8Array {
  const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`), `author ${c.author}`, `committer ${c.committer}`];
  const message = c.messages.map((m) => `${m}\n`).join("\n");
  return Buffer.from(`${lines.join("\n")}\n\n${message}`);
}
