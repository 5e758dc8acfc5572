import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { GitCase } from "../../challenges/git/clients/git.ts";
import { diffProblem, editLines, joinLines, LineMaker } from "../../challenges/git/clients/git-diff.ts";
import { randomBinary, type RepoFile } from "../../challenges/git/clients/git-repo.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

/** A repository's text files (as lines) beside a binary file, a script and a symlink. */
interface Project {
  text: Map<string, string[]>;
  files: RepoFile[];
}

function project(t: CaseContext, make: LineMaker): Project {
  const w = () => t.rand.word();
  const dir = `${w()}-src`;
  const paths = [`${w()}.txt`, `${dir}/${w()}.py`, `${dir}/${w()}-notes.md`, `${dir}/deep/${w()}.c`, `${w()}-list.txt`, `${w()}-end.txt`];
  const text = new Map(paths.map((p, i) => [p, make.lines(i === 0 ? t.rand.int(30, 40) : t.rand.int(8, 20))] as const));
  // One file that starts with an empty line (a newline at byte 0), and one with no newline after its last line.
  text.get(paths[4]!)!.unshift("\n");
  const last = paths[5]!;
  const lines = text.get(last)!;
  lines[lines.length - 1] = lines[lines.length - 1]!.replace(/\n$/, "");
  const files: RepoFile[] = [...text].map(([path, l]) => ({ path, kind: "file", content: joinLines(l) }));
  files.push({ path: `${dir}/${w()}.bin`, kind: "file", content: randomBinary(t.rand, 100, 400) });
  files.push({ path: `${w()}.sh`, kind: "file", content: joinLines(make.lines(3)) });
  files.push({ path: `${w()}-link`, kind: "symlink", content: new TextEncoder().encode(paths[0]!) });
  return { text, files };
}

function put(t: CaseContext, repo: string, path: string, content: Uint8Array | string, what: string): void {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), content);
  t.log.note(`the test ${what} ${path}`);
}

/** Edits the project's text files in place: several changes in the first (two close together), one in others, the newline at the end removed and added. */
function editText(t: CaseContext, repo: string, p: Project, make: LineMaker): void {
  const paths = [...p.text.keys()];
  const e0 = editLines(t.rand, make, p.text.get(paths[0]!)!, 3, true);
  put(t, repo, paths[0]!, joinLines(e0.lines), `edited (${e0.what})`);
  for (const path of [paths[1]!, paths[3]!]) {
    const e = editLines(t.rand, make, p.text.get(path)!, t.rand.int(1, 2));
    put(t, repo, path, joinLines(e.lines), `edited (${e.what})`);
  }
  const ending = p.text.get(paths[4]!)!;
  put(t, repo, paths[4]!, joinLines([...ending.slice(0, -1), ending.at(-1)!.replace(/\n$/, "")]), "removed the newline at the end of");
  const noEnd = p.text.get(paths[5]!)!;
  put(t, repo, paths[5]!, joinLines([...noEnd, "\n", ...make.lines(2)]), "added a newline and two lines at the end of");
}

/**
 * Files whose edits sit at fixed places, so every boundary of the .md is on every seed (randomness picks only
 * the words): in `hunks`, two replaced lines 6 unchanged lines apart (one hunk) and a third 7 further on (its
 * own hunk); in `funcs`, before each of four hunks the last line that can name it starts with `_`, with `$`,
 * is over 80 bytes, or ends in spaces — each followed by a line starting with a digit, which cannot; in `late`,
 * a NUL byte after the first 8000 bytes (a text file for git).
 */
interface Boundaries {
  before: Map<string, string[]>;
  after: Map<string, string[]>;
}

function boundaryFiles(t: CaseContext, make: LineMaker): Boundaries {
  let n = 0;
  const w = () => t.rand.word();
  const plain = () => `    ${w()}_${++n} = ${n}
`; // indented: never a function name
  const plains = (k: number) => Array.from({ length: k }, plain);
  const before = new Map<string, string[]>();
  const after = new Map<string, string[]>();
  const hunks = plains(30);
  const hunksAfter = [...hunks];
  for (const at of [5, 12, 20]) hunksAfter[at] = make.line();
  before.set(`${w()}-hunks.txt`, hunks);
  after.set([...before.keys()][0]!, hunksAfter);
  const funcs: string[] = [];
  const funcsAfter: string[] = [];
  const names = [`_${w()}_private(self):\n`, `$${w()} = ${n}\n`, `${w()}_long ${Array.from({ length: 16 }, w).join(" ")}\n`, `${w()}_spaces ${w()}:   \n`];
  for (const name of names) {
    const segment = [name, `${++n} ${w()} starts with a digit\n`, ...plains(6), plain(), ...plains(6)];
    funcs.push(...segment);
    funcsAfter.push(...segment.slice(0, 8), make.line(), ...segment.slice(9));
  }
  before.set(`${w()}-funcs.py`, funcs);
  after.set([...before.keys()][1]!, funcsAfter);
  const late = plains(200);
  while (late.join("").length < 8200) late.push(plain());
  late.push(`    ${w()} \0 a NUL after byte 8000\n`, ...plains(5));
  const lateAfter = [...late];
  lateAfter[3] = make.line();
  before.set(`${w()}-late-nul.txt`, late);
  after.set([...before.keys()][2]!, lateAfter);
  return { before, after };
}

async function expectDiff(t: CaseContext, g: GitCase, repo: string, args: string[]): Promise<void> {
  const ours = (await g.ours(["diff", ...args], { cwd: repo })).stdout;
  const real = (await g.git(["diff", ...args], { cwd: repo })).stdout;
  const command = ["diff", ...args].join(" ");
  if (real === "") throw new Error(`test bug: real git ${command} is empty`);
  if (ours !== real && args.includes("--cached")) {
    const plain = (await g.git(["diff", ...args.filter((a) => a !== "--cached")], { cwd: repo })).stdout;
    if (ours === plain) t.fail({ message: `${command} differs from real git's: your output is what \`git diff\` (without --cached) prints, the working tree against the index.`, hint: "`diff --cached` compares the index with HEAD's tree (what the next commit would change), not the working tree with the index: its old side is HEAD's blob, its new side the index entry's.", expected: real, received: ours });
  }
  if (ours !== real) {
    const problem = diffProblem(ours, real);
    t.fail({ message: `${command} differs from real git's. ${problem.message}`, hint: problem.hint, expected: real, received: ours });
  }
}

export default stage(import.meta, [
  {
    name: "diff shows the working tree's changes against the index",
    async run(t) {
      const g = GitCase.start(t);
      const make = new LineMaker(t.rand);
      const p = project(t, make);
      const bounds = boundaryFiles(t, make);
      // A file with CRLF line endings: each line's \r is part of it, in the diff as in the file.
      const crlf = `${t.rand.word()}-crlf.txt`;
      const crlfLines = make.lines(8).map((l) => l.replace(/\n$/, "\r\n"));
      const repo = await g.realRepo("repo", [...p.files, ...[...bounds.before].map(([path, l]): RepoFile => ({ path, kind: "file", content: joinLines(l) })), { path: crlf, kind: "file", content: joinLines(crlfLines) }]);
      await g.commitAll(repo, "First");
      editText(t, repo, p, make);
      put(t, repo, crlf, joinLines(crlfLines.map((l, i) => (i === 4 ? make.line().replace(/\n$/, "\r\n") : l))), "edited (its 5th line; CRLF line endings)");
      for (const [path, l] of bounds.after) put(t, repo, path, joinLines(l), "edited (at fixed lines)");
      const bin = p.files.find((f) => f.path.endsWith(".bin"))!;
      put(t, repo, bin.path, randomBinary(t.rand, 100, 400), "rewrote (binary)");
      const script = p.files.find((f) => f.path.endsWith(".sh"))!;
      chmodSync(join(repo, script.path), 0o755);
      t.log.note(`the test made ${script.path} executable`);
      const link = p.files.find((f) => f.kind === "symlink")!;
      rmSync(join(repo, link.path));
      symlinkSync([...p.text.keys()][1]!, join(repo, link.path));
      t.log.note(`the test pointed the symlink ${link.path} elsewhere`);
      const gone = [...p.text.keys()][2]!;
      rmSync(join(repo, gone));
      t.log.note(`the test deleted ${gone}`);
      put(t, repo, `${t.rand.word()}-untracked.txt`, joinLines(make.lines(3)), "wrote (untracked)");
      await expectDiff(t, g, repo, []);
    },
  },
  {
    name: "diff --cached shows what is staged against HEAD",
    async run(t) {
      const g = GitCase.start(t);
      const make = new LineMaker(t.rand);
      const p = project(t, make);
      const repo = await g.realRepo("repo", p.files);
      await g.commitAll(repo, "First");
      editText(t, repo, p, make);
      const paths = [...p.text.keys()];
      const added = `${dirname(paths[1]!)}/${t.rand.word()}-new.txt`;
      put(t, repo, added, joinLines(make.lines(t.rand.int(2, 6))), "wrote");
      const addedBin = `${t.rand.word()}-new.bin`;
      put(t, repo, addedBin, randomBinary(t.rand, 50, 200), "wrote");
      const one = `${t.rand.word()}-one-line.txt`;
      put(t, repo, one, make.line(), "wrote (one line)");
      await g.git(["add", paths[0]!, paths[3]!, paths[5]!, added, addedBin, one], { cwd: repo });
      await g.git(["rm", "-q", paths[2]!], { cwd: repo });
      const bin = p.files.find((f) => f.path.endsWith(".bin"))!;
      await g.git(["rm", "-q", bin.path], { cwd: repo });
      t.log.note(`the test removed ${paths[2]} and the binary ${bin.path} with git rm`);
      // A change made after staging shows in `diff`, not in `diff --cached`.
      const again = editLines(t.rand, make, p.text.get(paths[1]!)!, 1);
      put(t, repo, paths[1]!, joinLines(again.lines), `edited again (${again.what})`);
      await expectDiff(t, g, repo, ["--cached"]);
      await expectDiff(t, g, repo, []);
    },
  },
  {
    name: "diff between two commits, both ways",
    async run(t) {
      const g = GitCase.start(t);
      const make = new LineMaker(t.rand);
      const p = project(t, make);
      const repo = await g.realRepo("repo", p.files);
      const first = await g.commitAll(repo, "First");
      editText(t, repo, p, make);
      const paths = [...p.text.keys()];
      rmSync(join(repo, dirname(paths[3]!)), { recursive: true });
      t.log.note(`the test deleted the directory ${dirname(paths[3]!)}`);
      put(t, repo, `${t.rand.word()}-dir/${t.rand.word()}.txt`, joinLines(make.lines(t.rand.int(2, 5))), "wrote");
      const script = p.files.find((f) => f.path.endsWith(".sh"))!;
      chmodSync(join(repo, script.path), 0o755);
      put(t, repo, script.path, joinLines([...new TextDecoder().decode(script.content).split(/(?<=\n)/), ...make.lines(1)]), "made executable and appended a line to");
      const second = await g.commitAll(repo, "Second");
      await expectDiff(t, g, repo, [first, second]);
      await expectDiff(t, g, repo, [second, first]);
    },
  },
]);
