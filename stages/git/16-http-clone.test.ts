import { GitCase } from "../../challenges/git/clients/git.ts";
import { linearHistory } from "../../challenges/git/clients/git-history.ts";
import { startHttpServer, type HttpServer } from "../../challenges/git/clients/git-http-server.ts";
import { advanceCheckedOutBranch, headOnOtherBranch, REFS, servedHistory, view } from "../../challenges/git/clients/git-served.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const SMART_HTTP =
  "Smart HTTP: GET <url>/info/refs?service=git-upload-pack with the header `Git-Protocol: version=2`; the body (Content-Type application/x-git-upload-pack-advertisement) is the protocol v2 capability advertisement. Then each command (ls-refs, fetch) is one POST to <url>/git-upload-pack with Content-Type application/x-git-upload-pack-request, the same Git-Protocol header, and the command's pkt-lines as the body; the response body holds the answer, as on git://.";
const INDEX = "Store the pack you receive under .git/objects/pack/ with its .idx (stage 14): name every object by hashing it, resolving deltas against their bases in the pack.";
const CLONE_REFS =
  "After a clone: refs/remotes/origin/<branch> for each of the remote's branches, refs/remotes/origin/HEAD naming the remote HEAD's branch, its tags under refs/tags/, and a local branch named like the remote HEAD's that .git/HEAD names (stage 15).";
const FETCH = "fetch reads the URL of origin from .git/config (an http:// URL now), asks for the refs, fetches what you lack (with `have` lines), and moves refs/remotes/origin/<branch> and the tags; the local branches and the working tree stay.";

async function servedRepo(t: CaseContext, g: GitCase, h: HttpServer, name: string): Promise<string> {
  const bare = h.path(name);
  const src = await servedHistory(t, g, bare);
  // HEAD names the second branch, not master: a clone checks out the branch the remote HEAD names.
  await headOnOtherBranch(g, bare);
  return src;
}

/** The program must have asked for protocol version 2 and used smart HTTP's two endpoints. */
function expectVersion2(t: CaseContext, h: HttpServer, name: string, from: number): void {
  const ours = h.requests.slice(from);
  t.log.note(`the HTTP server answered your program's requests:\n${ours.map((r) => `  ${r}`).join("\n")}`);
  const refs = ours.find((r) => r.startsWith(`GET /${name}.git/info/refs?service=git-upload-pack `));
  const posts = ours.filter((r) => r.startsWith(`POST /${name}.git/git-upload-pack `));
  if (!refs || posts.length === 0) t.fail({ message: "Your program did not use smart HTTP: it should GET /info/refs?service=git-upload-pack, then POST to /git-upload-pack.", expected: `GET /${name}.git/info/refs?service=git-upload-pack 200 Git-Protocol: version=2\nPOST /${name}.git/git-upload-pack 200 Git-Protocol: version=2`, received: ours.join("\n") || "(no requests)", hint: SMART_HTTP });
  const v1 = [refs, ...posts].filter((r) => !r.endsWith("Git-Protocol: version=2"));
  if (v1.length > 0) t.fail({ message: "Your program's requests should ask for protocol version 2 with the header `Git-Protocol: version=2` (the server offers it).", expected: "… Git-Protocol: version=2", received: v1.join("\n"), hint: SMART_HTTP });
}

function expectSuccess(t: CaseContext, code: number, command: string): void {
  if (code !== 0) t.fail({ message: `Your program exited with code ${code} on: ${command}`, hint: SMART_HTTP });
}

export default stage(import.meta, [
  {
    name: "clone over smart HTTP: objects, refs, HEAD and working tree",
    async run(t) {
      const g = GitCase.start(t);
      const h = await startHttpServer(t, g);
      const name = `${t.rand.word()}-project`;
      await servedRepo(t, g, h, name);
      await g.git(["clone", "-q", h.url(name), "real-clone"], { cwd: t.dir });
      const from = h.requests.length;
      const r = await g.ours(["clone", h.url(name), "ours-clone"], { cwd: t.dir, allowFail: true });
      expectVersion2(t, h, name, from);
      expectSuccess(t, r.code, "clone");
      const ours = `${t.dir}/ours-clone`;
      const real = `${t.dir}/real-clone`;
      await g.fsck(ours, () => `${INDEX} Every object the refs reach must be there.`);
      t.expectEqual(await view(g, ours, REFS), await view(g, real, REFS), { message: "The refs of your clone (git for-each-ref) differ from those of real git's clone over HTTP.", hint: CLONE_REFS });
      t.expectEqual(await view(g, ours, ["symbolic-ref", "HEAD"]), await view(g, real, ["symbolic-ref", "HEAD"]), { message: "HEAD of your clone should name the same branch as real git's clone.", hint: CLONE_REFS });
      t.expectEqual(await view(g, ours, ["status", "--porcelain"]), "", { message: "In your clone, real git's status --porcelain should be empty: check out HEAD's tree into the working tree and the index.", hint: "After fetching, a clone checks out its branch (stage 12)." });
      t.expectEqual(await view(g, ours, ["config", "--get", "remote.origin.url"]), `${h.url(name)}\n`, { message: "Your clone should record the remote's URL as remote.origin.url.", hint: "The `[remote \"origin\"]` section of .git/config, with `url = <the http:// URL>`." });
      // A repository the server does not have: git http-backend answers 404.
      const missing = `${t.rand.word()}-missing`;
      const gone = await g.ours(["clone", h.url(missing), "missing-clone"], { cwd: t.dir, allowFail: true });
      const real404 = await g.git(["clone", "-q", h.url(missing), "real-missing-clone"], { cwd: t.dir, allowFail: true });
      const STATUS = "A status other than 200 is an error: print a `fatal:` line naming the URL and the status (git says `not found` for 404), and exit with code 128, as git does.";
      if (gone.code !== real404.code) t.fail({ message: `clone ${h.url(missing)} (the server answers 404) exited with code ${gone.code}; real git's with ${real404.code}:\n${real404.output.trim()}`, hint: STATUS });
      const fatal = gone.output.split("\n").find((l) => l.startsWith("fatal:"));
      if (fatal === undefined || !fatal.includes(h.url(missing))) t.fail({ message: `clone ${h.url(missing)} (the server answers 404) failed, but printed no \`fatal:\` line naming ${h.url(missing)}; real git printed:\n${real404.output.trim()}`, expected: "a line starting with fatal: that names the URL", received: gone.output.trim() || "(nothing)", hint: STATUS });
    },
  },
  {
    name: "fetch over smart HTTP brings new commits, branches and tags",
    async run(t) {
      const g = GitCase.start(t);
      const h = await startHttpServer(t, g);
      const name = `${t.rand.word()}-repo`;
      const src = await servedRepo(t, g, h, name);
      await g.git(["clone", "-q", h.url(name), "work"], { cwd: t.dir });
      await g.git(["clone", "-q", h.url(name), "real-work"], { cwd: t.dir });
      await linearHistory(t, g, src, 2, 10);
      const fresh = `${t.rand.word()}-new`;
      await g.git(["branch", fresh, "HEAD~1"], { cwd: src });
      await g.git(["tag", "-a", `v2.${t.rand.int(0, 9)}`, "-m", "Second"], { cwd: src });
      await g.git(["push", "-q", "--tags", h.path(name), "master", fresh], { cwd: src });
      await advanceCheckedOutBranch(g, `${t.dir}/work`, h.path(name), src);
      const ours = `${t.dir}/work`;
      const real = `${t.dir}/real-work`;
      const before = await view(g, ours, ["rev-parse", "HEAD"]);
      const from = h.requests.length;
      const r = await g.ours(["fetch"], { cwd: ours, allowFail: true });
      expectVersion2(t, h, name, from);
      expectSuccess(t, r.code, "fetch");
      await g.git(["fetch", "-q", "--tags"], { cwd: real });
      await g.fsck(ours, () => `${INDEX} A fetched pack may hold deltas against objects in it only.`);
      t.expectEqual(await view(g, ours, [...REFS, "refs/remotes", "refs/tags"]), await view(g, real, [...REFS, "refs/remotes", "refs/tags"]), { message: "After fetch over HTTP, the remote-tracking refs and tags (git for-each-ref) differ from those after real git's fetch.", hint: FETCH });
      t.expectEqual(await view(g, ours, ["rev-parse", "HEAD"]), before, { message: "fetch should not move the local branch.", hint: FETCH });
      t.expectEqual(await view(g, ours, ["status", "--porcelain"]), "", { message: "fetch should not change the working tree or the index.", hint: FETCH });
    },
  },
]);
