import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { GitCase } from "../../challenges/git/clients/git.ts";
import { startDaemon } from "../../challenges/git/clients/git-daemon.ts";
import { linearHistory } from "../../challenges/git/clients/git-history.ts";
import { startHttpServer } from "../../challenges/git/clients/git-http-server.ts";
import { REFS, servedHistory, view } from "../../challenges/git/clients/git-served.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const PROTOCOL =
  "Push speaks to git-receive-pack (protocol version 0): on git://, send `git-receive-pack /<path>\\0host=<host>:<port>\\0`; over HTTP, GET <url>/info/refs?service=git-receive-pack (its body starts with `# service=git-receive-pack` and a flush-pkt). The server lists its refs, `<id> <refname>`, capabilities after a NUL on the first line (`0000…0000 capabilities^{}` when it has none). Send `<old id> <new id> <refname>` pkt-lines (the first with `\\0report-status`), a flush-pkt, then a pack of the objects the server lacks (over HTTP, all of it as one POST to <url>/git-receive-pack). The server answers `unpack ok` and `ok <refname>` (or `ng <refname> <reason>`).";
const PACK = "The pack must hold every object the new commits reach that the server does not have already: commits, trees, blobs (walk from each new tip, stopping at what the server's refs reach).";
const TABLE =
  "Print git's status table on stderr: `To <url>`, then a line per ref: ` * [new branch]      <src> -> <dst>` for a new branch, ` * [new tag]         <src> -> <dst>` for a new tag, `   <old>..<new>  <src> -> <dst>` (7-digit ids) for a fast-forward; the summary column is 17 characters wide.";
const REJECT =
  "Before sending anything, refuse a ref whose update is not a fast-forward (the server's commit is not an ancestor of yours): print ` ! [rejected]        <src> -> <dst> (non-fast-forward)`, still push the other refs (their lines come before the rejected ones), then `error: failed to push some refs to '<url>'`, and exit with code 1.";

/** A served repository `<name>.git` and a twin `<name>-real.git` with the same refs; a clone of each; returns the two clones' paths. */
async function twins(t: CaseContext, g: GitCase, server: { path: (n: string) => string; url: (n: string) => string }, name: string) {
  await servedHistory(t, g, server.path(name));
  await g.git(["clone", "-q", "--bare", server.path(name), server.path(`${name}-real`)], { cwd: t.dir });
  await g.git(["clone", "-q", server.url(name), "work"], { cwd: t.dir });
  return { ours: `${t.dir}/work`, real: `${t.dir}/real-work` };
}

/** The clone `work` copied to `real-work`, its origin the twin: the same commits to push, to another server repository. */
async function copyForReal(t: CaseContext, g: GitCase, server: { url: (n: string) => string }, name: string, ours: string, real: string): Promise<void> {
  await t.client("coreutils", ["cp", "-a", ours, real]);
  await g.git(["remote", "set-url", "origin", server.url(`${name}-real`)], { cwd: real });
}

/** stderr lines that describe refs (the status table and the error line), with the URL replaced. */
function table(output: string, url: string): string {
  return output
    .split("\n")
    .filter((l) => /^ [ *!+=-] /.test(l) || l.startsWith("To ") || l.startsWith("error: ") || l === "Everything up-to-date")
    .map((l) => `${l.replaceAll(url, "<url>")}\n`)
    .join("");
}

interface PushCheck {
  name: string;
  server: { path: (n: string) => string; url: (n: string) => string };
  ours: string;
  real: string;
  args: string[];
  hint: string;
}

/** Runs our push and real git's on the twin; compares exit codes, status tables, the servers' refs and the clones' refs; fsck on our server's repository. */
async function comparePush(t: CaseContext, g: GitCase, c: PushCheck): Promise<void> {
  const before = await view(g, c.server.path(c.name), REFS);
  const ours = await g.ours(["push", ...c.args], { cwd: c.ours, allowFail: true });
  const real = await g.git(["push", ...c.args], { cwd: c.real, allowFail: true });
  const theirRefs = await view(g, c.server.path(c.name), REFS);
  if (ours.code !== real.code) {
    const moved = theirRefs !== before ? "" : " (the server's refs did not change)";
    // What the server's report (as your push printed it) says went wrong, when it says.
    const said = ours.output.includes("failed to update ref") || ours.output.includes("failed to lock")
      ? "The server refused to move a ref (\"failed to update ref\"): receive-pack updates a ref only when its current id is the <old id> you sent: the id it advertised for an existing ref, forty zeros (0000000000000000000000000000000000000000) for a ref it does not have. "
      : ours.output.includes("unpacker error") || /unpack (?!ok)/.test(ours.output)
        ? "The server could not unpack what followed your commands (\"unpacker error\"): after the flush-pkt comes the pack itself, raw bytes starting with `PACK`, not framed in pkt-lines. "
        : "";
    t.fail({ message: `Your push exited with code ${ours.code}, real git's with ${real.code}${moved}. Your push printed:\n${ours.output.trim() || "(nothing)"}`, expected: `exit code ${real.code}`, received: `exit code ${ours.code}`, hint: `${said}${real.code === 0 ? `${PROTOCOL} ${PACK}` : REJECT}` });
  }
  await g.fsck(c.server.path(c.name), () => `${PACK} The server stored the pack you sent; real git checks every object the refs reach.`);
  t.expectEqual(theirRefs, await view(g, c.server.path(`${c.name}-real`), REFS), { message: "After your push, the server's refs (git for-each-ref in the served repository) differ from those after real git's push of the same commits.", hint: c.hint });
  t.expectEqual(table(ours.stdout, c.server.url(c.name)), "", { message: "Your push printed its status table on stdout.", hint: TABLE });
  t.expectEqual(table(ours.output, c.server.url(c.name)), table(real.output, c.server.url(`${c.name}-real`)), { message: "Your push's status table (on stderr; the URL shown as <url>) differs from real git's.", hint: c.hint === REJECT ? REJECT : TABLE });
  t.expectEqual(await view(g, c.ours, [...REFS, "refs/remotes"]), await view(g, c.real, [...REFS, "refs/remotes"]), { message: "After the push, the remote-tracking refs of your clone differ from real git's.", hint: "A successful push moves refs/remotes/origin/<branch> to what the server now has; a rejected one leaves it." });
}

export default stage(import.meta, [
  {
    name: "push new commits and a new branch to git daemon",
    async run(t) {
      const g = GitCase.start(t);
      const d = await startDaemon(t, g, { receivePack: true });
      const name = `${t.rand.word()}-project`;
      const { ours, real } = await twins(t, g, d, name);
      await linearHistory(t, g, ours, 2, 10);
      const fresh = `${t.rand.word()}-topic`;
      await g.git(["checkout", "-q", "-b", fresh], { cwd: ours });
      await linearHistory(t, g, ours, 1, 12);
      await g.git(["checkout", "-q", "master"], { cwd: ours });
      await copyForReal(t, g, d, name, ours, real);
      await comparePush(t, g, { name, server: d, ours, real, args: ["origin", "master", fresh], hint: `${PROTOCOL} ${PACK}` });
      // The same new commit in both clones (same content, parent, identity and dates: the same id), pushed without a refspec.
      const path = `${t.rand.word()}-more.txt`;
      const content = `${t.rand.word()} ${t.rand.int(0, 9999)}\n`;
      for (const repo of [ours, real]) {
        writeFileSync(join(repo, path), content);
        await g.git(["add", path], { cwd: repo });
        await g.git(["commit", "-q", "-m", `Add ${path}`], { cwd: repo });
      }
      t.log.note(`the test committed ${path} on master in both clones`);
      await comparePush(t, g, { name, server: d, ours, real, args: ["origin"], hint: `With no refspec, push the current branch (the one .git/HEAD names) to the branch of the same name. ${PROTOCOL}` });
    },
  },
  {
    name: "a push that is not a fast-forward is rejected; the other ref is pushed",
    async run(t) {
      const g = GitCase.start(t);
      const d = await startDaemon(t, g, { receivePack: true });
      const name = `${t.rand.word()}-repo`;
      const { ours, real } = await twins(t, g, d, name);
      await g.git(["reset", "-q", "--hard", "HEAD~1"], { cwd: ours });
      await linearHistory(t, g, ours, 1, 20);
      const fresh = `${t.rand.word()}-fix`;
      await g.git(["branch", fresh], { cwd: ours });
      await copyForReal(t, g, d, name, ours, real);
      await comparePush(t, g, { name, server: d, ours, real, args: ["origin", "master", fresh], hint: REJECT });
    },
  },
  {
    name: "push over smart HTTP",
    async run(t) {
      const g = GitCase.start(t);
      const h = await startHttpServer(t, g);
      const name = `${t.rand.word()}-site`;
      const { ours, real } = await twins(t, g, h, name);
      await linearHistory(t, g, ours, 2, 10);
      const tag = `v3.${t.rand.int(0, 9)}`;
      await g.git(["tag", tag], { cwd: ours });
      await copyForReal(t, g, h, name, ours, real);
      const from = h.requests.length;
      await comparePush(t, g, { name, server: h, ours, real, args: ["origin", "master", tag], hint: `${PROTOCOL} ${PACK}` });
      const asked = h.requests.slice(from).filter((r) => r.includes(`/${name}.git/`));
      t.log.note(`the HTTP server answered your program's requests:\n${asked.map((r) => `  ${r}`).join("\n")}`);
      if (!asked.some((r) => r.startsWith(`GET /${name}.git/info/refs?service=git-receive-pack 200`)) || !asked.some((r) => r.startsWith(`POST /${name}.git/git-receive-pack 200`)))
        t.fail({ message: "Your push should GET info/refs?service=git-receive-pack, then POST to git-receive-pack.", expected: `GET /${name}.git/info/refs?service=git-receive-pack 200\nPOST /${name}.git/git-receive-pack 200`, received: asked.join("\n") || "(no requests)", hint: PROTOCOL });
    },
  },
]);
