import { chmodSync, existsSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { GitCase } from "../../challenges/git/clients/git.ts";
import { commitWithDate, linearHistory, randomMessage, writeNoted } from "../../challenges/git/clients/git-history.ts";
import { randomFiles, randomText } from "../../challenges/git/clients/git-repo.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const BRANCH_LIST =
  "`branch` lists every branch — a file under .git/refs/heads/ or a line `<id> refs/heads/<name>` of .git/packed-refs (a loose file wins over a packed line) — in byte order of the names, `* ` before the one HEAD names and two spaces before the others.";
const PACKED = "Branches can live in .git/packed-refs, one `<id> <refname>` per line (skip the `#` header and `^` peeled lines); a loose file under .git/refs/ with the same name is newer and wins.";
const CHECKOUT =
  "Checking out a branch makes the working tree and the index hold the branch's tree: write each file of the tree (mode 100755 executable, 120000 a symlink), remove tracked files the tree does not have (and directories left empty), write the index with an entry for every file, then set .git/HEAD to `ref: refs/heads/<branch>`.";
const LEFT_BEHIND = "Files tracked on the branch you left, but not in the target's tree, must be deleted from the working tree (and directories left empty removed): real git sees them as untracked files.";
const LOG =
  "`log` prints, for each commit from HEAD back, newest first: `commit <id>`, `Author: <name> <email>`, `Date:   <date>` (three spaces), an empty line, and each line of the message indented by four spaces (an empty line of the message too); commits are separated by an empty line.";
const DATE = "The date is the author's, shown in the author's own time zone as `Mon Sep 7 13:36:40 2020 +0530`: the weekday and month abbreviated, the day of the month without padding, then the time, the year and the zone from the commit.";

/** Names what is wrong in the first `Date:` line that differs: padding, the day across midnight, or the zone's offset. */
function dateHint(ours: string, real: string): string {
  const clock = (line: string) => /\d\d:\d\d:\d\d/.exec(line)?.[0];
  if (/^Date: +\w+ \w+ 0\d /.test(ours)) return `The day of the month is not padded: \`Sep 7\`, not \`Sep 07\`. ${DATE}`;
  if (!clock(ours)) return `The time of day has two digits for each of the hour, minute and second: \`07:04:09\`, not \`7:4:9\`. ${DATE}`;
  if (clock(ours) === clock(real)) return `The weekday, month and day come from the local time as well: a zone can move the date across midnight (-1000 makes 05:00 UTC the day before). ${DATE}`;
  return `Add the zone's offset to the UTC time, its minutes with the same sign as its hours: -0230 is 2 h 30 min west of UTC, -(2×60 + 30) minutes. ${DATE}`;
}
const ONELINE = "`log --oneline` prints one line per commit: the first 7 hex digits of its id, a space, and the subject: the message's first paragraph, its lines joined by spaces.";

async function expectOutput(t: CaseContext, g: GitCase, repo: string, args: string[], hint: (ours: string, real: string) => string): Promise<void> {
  const ours = (await g.ours(args, { cwd: repo })).stdout;
  const real = (await g.git(args, { cwd: repo })).stdout;
  t.expectEqual(ours, real, { message: `${args.join(" ")} printed another output than real git's.`, hint: hint(ours, real) });
}

/** After the program checked out `branch`: HEAD names it, HEAD is its commit, and real git sees no change and no stray file. */
async function expectCheckedOut(t: CaseContext, g: GitCase, repo: string, branch: string, commit: string, how: string): Promise<void> {
  const head = (await g.git(["symbolic-ref", "HEAD"], { cwd: repo, allowFail: true })).stdout.trim();
  t.expectEqual(head, `refs/heads/${branch}`, { message: `After ${how}, .git/HEAD should name the branch.`, hint: "HEAD is symbolic: .git/HEAD holds `ref: refs/heads/<branch>` and a newline." });
  const at = (await g.git(["rev-parse", "HEAD"], { cwd: repo })).stdout.trim();
  t.expectEqual(at, commit, { message: `After ${how}, HEAD should be the branch's commit.`, hint: PACKED });
  const status = (await g.git(["status", "--porcelain"], { cwd: repo })).stdout;
  if (status !== "") {
    const lines = status.split("\n").filter(Boolean);
    const stray = lines.some((l) => l.startsWith("??"));
    const staged = lines.some((l) => l[0] !== " " && l[0] !== "?");
    const hint = staged ? `The index still differs from the branch's tree (status's first column): write .git/index anew with an entry for every file of the target tree. ${CHECKOUT}` : stray ? LEFT_BEHIND : CHECKOUT;
    t.fail({ message: `After ${how}, real git's status --porcelain should be empty (working tree and index both equal to the branch's tree).`, expected: "", received: status, hint });
  }
}

export default stage(import.meta, [
  {
    name: "branch lists loose and packed branches and creates new ones",
    async run(t) {
      const g = GitCase.start(t);
      const repo = await g.realRepo("repo", randomFiles(t.rand, { depth: 1 }));
      await g.git(["add", "-A"], { cwd: repo });
      const ids = [await commitWithDate(t, g, repo, 0), ...(await linearHistory(t, g, repo, 3))];
      const [a, b, c] = [`${t.rand.word()}-fix`, `feature/${t.rand.word()}`, `${t.rand.word()}`];
      await g.git(["branch", a, ids[1]!], { cwd: repo });
      await g.git(["branch", b, ids[2]!], { cwd: repo });
      await g.git(["pack-refs", "--all"], { cwd: repo });
      // A loose ref newer than its packed line, and a branch that is only loose.
      await g.git(["branch", "-f", a, ids[3]!], { cwd: repo });
      await g.git(["branch", `${c}-new`, ids[0]!], { cwd: repo });
      await expectOutput(t, g, repo, ["branch"], () => `${BRANCH_LIST} ${PACKED}`);
      // ${a} is both a loose file (the newer commit) and a stale packed line: log of it shows which one was read.
      const firstLine = (s: string) => s.split("\n")[0] ?? "";
      await expectOutput(t, g, repo, ["log", "--oneline", a], (o, r) =>
        !o.includes(firstLine(r)) && r.includes(firstLine(o)) ? `${a} is both a loose file and a line of .git/packed-refs with an older id: read the loose file. ${PACKED}` : `${ONELINE} Commits come newest first.`,
      );
      const made = `${t.rand.word()}-made`;
      await g.ours(["branch", made], { cwd: repo });
      const at = (await g.git(["rev-parse", "--verify", "-q", `refs/heads/${made}`], { cwd: repo, allowFail: true })).stdout.trim();
      t.expectEqual(at, ids[3]!, { message: `After branch ${made}, real git should find refs/heads/${made} at HEAD's commit.`, hint: "`branch <name>` writes .git/refs/heads/<name>: the commit id HEAD resolves to, and a newline." });
      const old = `${t.rand.word()}-old`;
      await g.ours(["branch", old, ids[0]!], { cwd: repo });
      const oldAt = (await g.git(["rev-parse", "--verify", "-q", `refs/heads/${old}`], { cwd: repo, allowFail: true })).stdout.trim();
      t.expectEqual(oldAt, ids[0]!, { message: `After branch ${old} ${ids[0]}, real git should find refs/heads/${old} at that commit.`, hint: "`branch <name> <start>` points the new branch at the start commit." });
      await expectOutput(t, g, repo, ["branch"], () => BRANCH_LIST);
      const again = await t.run(["branch", b], { cwd: repo, env: g.env });
      if (again.code === 0) t.fail({ message: `branch ${b} succeeded, but ${b} already exists (in .git/packed-refs).`, hint: `Creating a branch that exists is an error (git: "fatal: a branch named '${b}' already exists", exit code 128). ${PACKED}` });
      else if (again.code !== 128) t.fail({ message: `branch ${b} (a branch that already exists) exited with code ${again.code}; real git exits with code 128.`, hint: `A branch that exists already is a fatal error: print "fatal: a branch named '${b}' already exists" and exit with code 128, as git does for every fatal error.` });
    },
  },
  {
    name: "checkout and switch change the working tree, the index and HEAD",
    async run(t) {
      const g = GitCase.start(t);
      const files = randomFiles(t.rand, { depth: 2 });
      const repo = await g.realRepo("repo", files);
      await g.git(["add", "-A"], { cwd: repo });
      const main = await commitWithDate(t, g, repo, 0);
      const feature = `${t.rand.word()}-feature`;
      await g.git(["checkout", "-q", "-b", feature], { cwd: repo });
      const dir = files.find((f) => f.path.split("/").length > 2)!.path.split("/")[0]!;
      // The file made executable is one outside the deleted directory (the root always has one); two others are changed and deleted.
      const shuffled = t.rand.shuffle(files.filter((f) => f.kind === "file"));
      const exec = shuffled.find((f) => !f.path.startsWith(`${dir}/`))!;
      const plain = shuffled.filter((f) => f !== exec);
      writeNoted(t, repo, plain[0]!.path, randomText(t.rand), "changed");
      rmSync(join(repo, plain[1]!.path));
      t.log.note(`the test deleted ${plain[1]!.path}`);
      rmSync(join(repo, dir), { recursive: true });
      t.log.note(`the test deleted the directory ${dir}`);
      writeNoted(t, repo, `${t.rand.word()}-new/${t.rand.word()}/deep.txt`, randomText(t.rand));
      chmodSync(join(repo, exec.path), 0o755);
      t.log.note(`the test made ${exec.path} executable`);
      const link = `${t.rand.word()}-newlink`;
      symlinkSync(plain[0]!.path, join(repo, link));
      t.log.note(`the test made the symlink ${link}`);
      await g.git(["add", "-A"], { cwd: repo });
      const tip = await commitWithDate(t, g, repo, 1);
      await g.git(["checkout", "-q", "master"], { cwd: repo });
      await g.git(["pack-refs", "--all"], { cwd: repo });
      await g.ours(["checkout", feature], { cwd: repo });
      await expectCheckedOut(t, g, repo, feature, tip, `checkout ${feature}`);
      if (existsSync(join(repo, dir))) t.fail({ message: `After checkout ${feature}, the directory ${dir} should be gone: ${feature}'s tree has no file in it.`, hint: "After deleting the tracked files the target tree does not have, remove the directories they leave empty (git tracks files, not directories; real git's status does not show empty directories, but git checkout removes them)." });
      await g.ours(["switch", "master"], { cwd: repo, hint: "`switch <branch>` does what `checkout <branch>` does." });
      await expectCheckedOut(t, g, repo, "master", main, "switch master");
      const fresh = `${t.rand.word()}-fresh`;
      await g.ours(["checkout", "-b", fresh], { cwd: repo });
      await expectCheckedOut(t, g, repo, fresh, main, `checkout -b ${fresh}`);
      const listed = (await g.git(["branch", "--list", fresh], { cwd: repo })).stdout;
      t.expectEqual(listed, `* ${fresh}\n`, { message: `After checkout -b ${fresh}, real git should list the new branch as current.`, hint: "`checkout -b <name>` creates refs/heads/<name> at HEAD's commit, then points HEAD at it." });
    },
  },
  {
    name: "log prints the history as git log does, and --oneline",
    async run(t) {
      const g = GitCase.start(t);
      const repo = await g.realRepo("repo", randomFiles(t.rand, { depth: 1 }));
      await g.git(["add", "-A"], { cwd: repo });
      // A message of several paragraphs on every seed: its empty lines print as four spaces.
      const message = randomMessage(t);
      while (message.length < 3) message.push(`${t.rand.word()} ${t.rand.word()}.\n${t.rand.word()}.`);
      // A subject of two lines: --oneline joins the first paragraph's lines with a space.
      message[0] = `${message[0]}\nand ${t.rand.word()} ${t.rand.word()}`;
      const ids = [await commitWithDate(t, g, repo, 0, message), ...(await linearHistory(t, g, repo, t.rand.int(3, 5)))];
      const older = `${t.rand.word()}-older`;
      await g.git(["branch", older, ids[1]!], { cwd: repo });
      await g.git(["pack-refs", "--all"], { cwd: repo });
      const logHint = (ours: string, real: string) => {
        const commits = (s: string) => s.split("\n").filter((l) => /^commit [0-9a-f]{40}$/.test(l));
        const [oc, rc] = [commits(ours), commits(real)];
        if (oc.join() !== rc.join()) {
          if ([...oc].sort().join() === [...rc].sort().join()) return `The same commits in another order: newest first, from HEAD (or the branch given) back through the parents. ${LOG}`;
          return `Your log lists other commits than real git's: start from HEAD's commit, or from the branch's when one is given (\`log <branch>\`), and follow the parents back. ${LOG}`;
        }
        const dates = (s: string) => s.split("\n").filter((l) => l.startsWith("Date:"));
        const [o, r] = [dates(ours), dates(real)];
        const i = r.findIndex((line, n) => line !== o[n]);
        return i < 0 ? LOG : dateHint(o[i] ?? "", r[i]!);
      };
      await expectOutput(t, g, repo, ["log"], logHint);
      await expectOutput(t, g, repo, ["log", "--oneline"], () => ONELINE);
      await expectOutput(t, g, repo, ["log", older], (o, r) => `${logHint(o, r)} ${PACKED}`);
    },
  },
]);
