import { cpSync } from "node:fs";
import { GitCase } from "../../challenges/git/clients/git.ts";
import { commitWithDate, linearHistory, writeNoted } from "../../challenges/git/clients/git-history.ts";
import { headOnOtherBranch, REFS, servedHistory, view } from "../../challenges/git/clients/git-served.ts";
import { startOurServer } from "../../challenges/git/clients/git-serve.ts";
import { stage } from "../../harness/stage/define.ts";

const SERVE =
  "`serve --port <port> <dir>` listens on 127.0.0.1:<port> and serves the repositories under <dir> like `git daemon --base-path=<dir> --export-all --enable=receive-pack`: each connection starts with one pkt-line `git-upload-pack /<path>\\0host=…\\0\\0version=2\\0` (or `git-receive-pack /<path>\\0host=…\\0`); /<path> is the repository <dir>/<path>.";
const UPLOAD =
  "git-upload-pack in protocol version 2: send the capability advertisement (`version 2`, `agent=…`, `ls-refs`, `fetch`, then 0000); answer `command=ls-refs` with `<id> <refname>` lines (HEAD first, with ` symref-target:<branch>` when asked for symrefs; ` peeled:<id>` for annotated tags when asked to peel; only refs matching a `ref-prefix`); answer `command=fetch` with a `packfile` section holding every object the `want`s reach, on side-band 1 (65515 bytes of data at most per pkt-line).";
const NEGOTIATE =
  "A fetch without `done` negotiates: answer `acknowledgments` with `ACK <id>` for each `have` you hold, then `ready`, a delim-pkt 0001 and the `packfile` section (leave out what the acknowledged commits reach); with no common commit, answer `acknowledgments`, `NAK` and 0000 and wait for the client's next round. Honour `include-tag`: send the annotated tags that point at objects you send.";
const BAND =
  "The pack goes in pkt-lines of at most 65520 bytes: four hex digits of length, the side-band byte 1, then at most 65515 bytes of pack; a bigger pack takes several.";
const DELETE = "A command whose new id is all zeros deletes the ref (advertise `delete-refs`), then `ok <refname>`.";
const RECEIVE =
  "git-receive-pack (protocol version 0): list your refs (`<id> <refname>`, the first followed by `\\0report-status delete-refs ofs-delta no-thin` — no-thin asks for a pack whose deltas have their bases in it; `0000000000000000000000000000000000000000 capabilities^{}` if there are none), 0000; read the `<old> <new> <ref>` commands up to 0000, then the pack (it ends with the SHA-1 of what precedes it); store it with its .idx; move each ref whose current id is <old>; answer `unpack ok`, `ok <ref>` per ref, 0000.";

export default stage(import.meta, [
  {
    name: "real git clones and fetches from your server",
    async run(t) {
      const g = GitCase.start(t);
      const base = g.dir("served");
      const name = `${t.rand.word()}-project`;
      const src = await servedHistory(t, g, `${base}/${name}.git`);
      // A blob that does not compress, so the pack spans several side-band pkt-lines of at most 65515 bytes of data.
      writeNoted(t, src, `${t.rand.word()}-big.bin`, t.rand.bytes(t.rand.int(100, 160) * 1024), "committed (100–160 KiB of random bytes)");
      await g.git(["add", "-A"], { cwd: src });
      await g.git(["commit", "-q", "-m", "Add a big binary file"], { cwd: src });
      await g.git(["push", "-q", `${base}/${name}.git`, "master"], { cwd: src });
      // HEAD names the other branch, so a symref-target that is not read from HEAD shows.
      await headOnOtherBranch(g, `${base}/${name}.git`);
      const s = await startOurServer(t, g, base);
      const bare = s.path(name);
      const clone = await g.git(["clone", s.url(name), "clone"], { cwd: t.dir, allowFail: true });
      const band = /protocol error|bad band|bad line length/.test(clone.output) ? `${BAND} ` : "";
      if (clone.code !== 0) t.fail({ message: `Real git could not clone from your server (exit code ${clone.code}):\n${clone.output.trim()}`, hint: `${band}${SERVE} ${UPLOAD}` });
      await g.git(["clone", "-q", "--no-local", bare, "direct"], { cwd: t.dir });
      const ours = `${t.dir}/clone`;
      const direct = `${t.dir}/direct`;
      await g.fsck(ours, () => `The pack your server sent must hold every object the wanted refs reach. ${UPLOAD}`);
      t.expectEqual(await view(g, ours, REFS), await view(g, direct, REFS), { message: "The refs of real git's clone from your server differ from those of a clone of the repository itself.", hint: UPLOAD });
      t.expectEqual(await view(g, ours, ["symbolic-ref", "HEAD"]), await view(g, direct, ["symbolic-ref", "HEAD"]), { message: "A clone from your server should check out the branch the repository's HEAD names.", hint: "ls-refs with `symrefs`: HEAD's line ends with ` symref-target:refs/heads/<branch>`." });
      // New commits and an annotated tag on them; the clone fetches (negotiating with its haves).
      await linearHistory(t, g, src, 3, 10);
      await g.git(["tag", "-a", `v2.${t.rand.int(0, 9)}`, "-m", "Second"], { cwd: src });
      await g.git(["push", "-q", bare, "master", "--follow-tags"], { cwd: src });
      // Newer local commits the server does not have: git's first round of 16 haves holds none it knows (a NAK), the next one does.
      const local = `${t.rand.word()}-local`;
      await g.git(["checkout", "-q", "-b", local], { cwd: ours });
      for (let i = 0; i < 20; i++) await commitWithDate(t, g, ours, 30 + i, [`Local ${i}`]);
      await g.git(["checkout", "-q", "-"], { cwd: ours });
      t.log.note(`the test made 20 commits on a local branch ${local} of the clone, newer than the served ones`);
      const fetched = await g.git(["fetch"], { cwd: ours, allowFail: true });
      if (fetched.code !== 0) t.fail({ message: `Real git could not fetch from your server (exit code ${fetched.code}):\n${fetched.output.trim()}`, hint: NEGOTIATE });
      await g.git(["branch", "-q", "-D", local], { cwd: ours });
      await g.git(["fetch", "-q"], { cwd: direct });
      await g.fsck(ours, () => `After a fetch the clone must hold every object its refs reach. ${NEGOTIATE}`);
      t.expectEqual(await view(g, ours, [...REFS, "refs/remotes", "refs/tags"]), await view(g, direct, [...REFS, "refs/remotes", "refs/tags"]), { message: "After real git's fetch from your server, its remote-tracking refs and tags differ from a fetch from the repository itself.", hint: NEGOTIATE });
    },
  },
  {
    name: "real git pushes to your server",
    async run(t) {
      const g = GitCase.start(t);
      const base = g.dir("served");
      const name = `${t.rand.word()}-repo`;
      await servedHistory(t, g, `${base}/${name}.git`);
      await g.git(["clone", "-q", "--bare", `${base}/${name}.git`, "twin.git"], { cwd: t.dir });
      const s = await startOurServer(t, g, base);
      await g.git(["clone", "-q", s.url(name), "work"], { cwd: t.dir, hint: UPLOAD });
      const work = `${t.dir}/work`;
      const twin = `${t.dir}/twin.git`;
      await linearHistory(t, g, work, 2, 10);
      // 256 KiB of random bytes (incompressible): the pushed pack arrives in many reads, and only its trailing SHA-1 says it is whole.
      writeNoted(t, work, `${t.rand.word()}-large.bin`, t.rand.bytes(256 * 1024), "wrote (256 KiB of random bytes: the pack pushed comes in many reads)");
      await g.git(["add", "-A"], { cwd: work });
      await commitWithDate(t, g, work, 3);
      const topic = `${t.rand.word()}-topic`;
      await g.git(["branch", topic, "HEAD~1"], { cwd: work });
      const tag = `v3.${t.rand.int(0, 9)}`;
      await g.git(["tag", "-a", tag, "-m", `Tag ${t.rand.word()}`], { cwd: work });
      const pushed = await g.git(["push", "origin", "master", topic, tag], { cwd: work, allowFail: true });
      const unpackFailed = pushed.output.includes("unpacker error") || pushed.output.includes("remote unpack failed");
      const READS = "Your server could not unpack the pushed pack (\"unpacker error\"): a pack this size (over 256 KiB) arrives in many reads; keep reading until the last 20 bytes of what you hold are the SHA-1 of everything before them, and only then index it. ";
      if (pushed.code !== 0) t.fail({ message: `Real git could not push to your server (exit code ${pushed.code}):\n${pushed.output.trim()}`, hint: `${unpackFailed ? READS : ""}${RECEIVE}` });
      await g.git(["push", "-q", twin, "master", topic, tag], { cwd: work });
      await g.fsck(s.path(name), () => `Store the pack git sends under objects/pack/ with its .idx (stage 14). Unless you advertise \`no-thin\`, git sends a thin pack: REF_DELTAs against objects you already have, which must be appended to the pack (as index-pack --fix-thin does) or the stored pack cannot be read. ${RECEIVE}`);
      t.expectEqual(await view(g, s.path(name), REFS), await view(g, twin, REFS), { message: "After real git's push, the refs of the repository you serve differ from those of the same push to a copy of it (by real git).", hint: RECEIVE });
      // Deleting a branch: its new id is all zeros.
      const deleted = await g.git(["push", "origin", "--delete", topic], { cwd: work, allowFail: true });
      await g.git(["push", "-q", twin, "--delete", topic], { cwd: work });
      if (deleted.code !== 0) t.fail({ message: `Real git could not delete ${topic} through your server (exit code ${deleted.code}):\n${deleted.output.trim()}`, hint: `${DELETE} ${RECEIVE}` });
      t.expectEqual(await view(g, s.path(name), REFS), await view(g, twin, REFS), { message: `After real git's push --delete ${topic}, the refs of the repository you serve differ from those of the same push to a copy of it.`, hint: DELETE });
      // A push that is not a fast-forward: git refuses it from what your advertisement says.
      await g.git(["reset", "-q", "--hard", "HEAD~2"], { cwd: work });
      await linearHistory(t, g, work, 1, 20);
      const refused = await g.git(["push", "origin", "master"], { cwd: work, allowFail: true });
      t.expectEqual(String(refused.code), "1", { message: "Real git should refuse a push that is not a fast-forward (exit code 1), knowing from your ref advertisement where the branch is.", hint: RECEIVE });
      t.expectEqual(await view(g, s.path(name), REFS), await view(g, twin, REFS), { message: "After a refused push, the refs of the repository you serve should not change.", hint: RECEIVE });
      // Another clone from your server sees everything pushed.
      await g.git(["clone", "-q", s.url(name), "again"], { cwd: t.dir, hint: UPLOAD });
      await g.fsck(`${t.dir}/again`, () => UPLOAD);
      t.expectEqual(await view(g, `${t.dir}/again`, ["rev-parse", "HEAD", `refs/tags/${tag}`]), await view(g, twin, ["rev-parse", "HEAD", `refs/tags/${tag}`]), { message: "A new clone from your server should have the pushed master and tag.", hint: UPLOAD });
    },
  },
  {
    name: "a repository that does not exist: real git fails, your server keeps serving",
    async run(t) {
      const g = GitCase.start(t);
      const base = g.dir("served");
      const name = `${t.rand.word()}-site`;
      await servedHistory(t, g, `${base}/${name}.git`);
      const s = await startOurServer(t, g, base);
      const missing = await g.git(["ls-remote", s.url(`${name}-missing`)], { cwd: t.dir, allowFail: true });
      t.expectEqual(String(missing.code), "128", { message: "Real git's ls-remote of a repository your server does not have should fail with exit code 128.", hint: `${SERVE} For a path that is no repository, send a pkt-line \`ERR no such repository: /<path>\` (or close the connection).` });
      const expected = (await g.git(["ls-remote", "--symref", s.path(name)], { cwd: t.dir })).stdout;
      const listed = await g.git(["ls-remote", "--symref", s.url(name)], { cwd: t.dir, allowFail: true });
      t.expectEqual(listed.stdout, expected, { message: "After that, your server should still answer: real git's ls-remote --symref through it should list what ls-remote --symref of the repository itself lists.", hint: UPLOAD });
      // The name without .git (git daemon tries <path>, then <path>.git), and a repository with a work tree (<dir>/<path>/.git).
      const bare = await g.git(["ls-remote", "--symref", s.url(name).replace(/\.git$/, "")], { cwd: t.dir, allowFail: true });
      t.expectEqual(bare.stdout, expected, { message: `Real git's ls-remote of git://…/${name} (without .git) through your server should list the repository ${name}.git.`, hint: `${SERVE} Like git daemon, look for <dir>/<path>, then <dir>/<path>.git.` });
      const tree = `${t.rand.word()}-tree`;
      cpSync(s.path(name), `${base}/${tree}/.git`, { recursive: true });
      t.log.command(`cp -a ${s.path(name)} ${base}/${tree}/.git`);
      await g.git(["config", "core.bare", "false"], { cwd: `${base}/${tree}` });
      const nonBare = await g.git(["ls-remote", "--symref", s.url(tree).replace(/\.git$/, "")], { cwd: t.dir, allowFail: true });
      t.expectEqual(nonBare.stdout, (await g.git(["ls-remote", "--symref", `${base}/${tree}`], { cwd: t.dir })).stdout, { message: `Real git's ls-remote of git://…/${tree}, a repository with a work tree (${tree}/.git), through your server should list what ls-remote of it lists.`, hint: `${SERVE} A repository may be bare or a directory with a .git.` });
    },
  },
]);
