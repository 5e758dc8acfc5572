/**
 * A Git command-line tool, run like git in a repository:
 *   bun solutions/git/main.ts init [<dir>]
 *   … hash-object [-w] <file>…      cat-file (-p | -t | -s | -e) <object>
 *   … write-tree                    ls-tree [--name-only] [-r] <tree-ish>
 *   … commit-tree <tree> [-p <parent>]… -m <message>…
 *   … add <path>…                   ls-files [--stage | -s]
 *   … status --porcelain            rm [--cached] [-r] [-q] <path>…
 * Errors go to stderr as `fatal: …` with exit code 128, as git's do.
 */
import { existsSync, readFileSync } from "node:fs";
import { ident, encodeCommit } from "./commit.ts";
import { GitError, hashing, ObjectStore, type Hashing, type ObjectType } from "./objects.ts";
import { showObject, lsTree, lsFiles, type ShowSteps, showSteps } from "./show.ts";
import { add } from "./add.ts";
import { headFiles } from "./head.ts";
import { indexPath, indexSteps, readIndex, writeIndex, type IndexSteps } from "./index-file.ts";
import { fromTop } from "./pathspec.ts";
import { rm, rmSteps, type RmSteps } from "./rm.ts";
import { statusPorcelain, statusSteps, type StatusSteps } from "./status.ts";
import { findGitDir, init } from "./repo.ts";
import { treeSteps, writeTreeFromDir, writeTreeFromIndex, type TreeSteps } from "./tree.ts";

export interface MainOptions {
  /** Replaces how objects are named and stored (the broken fixtures use this). */
  hashing?: Hashing;
  tree?: Partial<TreeSteps>;
  show?: Partial<ShowSteps>;
  /** Replaces how a commit's fields become its content. */
  encodeCommit?: typeof encodeCommit;
  index?: Partial<IndexSteps>;
  status?: Partial<StatusSteps>;
  rm?: Partial<RmSteps>;
}

type Out = (text: string | Uint8Array) => void;

function usage(text: string): never {
  throw new UsageError(text);
}
class UsageError extends Error {}

function store(o: MainOptions): ObjectStore {
  return new ObjectStore(findGitDir(process.cwd()).gitDir, o.hashing ?? hashing);
}

function run(argv: string[], o: MainOptions, out: Out): void {
  const [command, ...args] = argv;
  const flags = args.filter((a) => a.startsWith("-"));
  const rest = args.filter((a) => !a.startsWith("-"));
  switch (command) {
    case "init":
      out(init(rest[0] ?? "."));
      return;
    case "hash-object": {
      if (rest.length === 0) usage("usage: git hash-object [-w] <file>...");
      const s = o.hashing ?? hashing;
      const objects = flags.includes("-w") ? store(o) : undefined;
      for (const file of rest) {
        const body = readFileSync(file);
        out(`${objects ? objects.put("blob", body) : s("blob", body).oid}\n`);
      }
      return;
    }
    case "cat-file": {
      const [flag] = flags;
      const [oid] = rest;
      if (flag === undefined || oid === undefined) usage("usage: git cat-file (-p | -t | -s | -e) <object>");
      if (flag === "-e") {
        store(o).get(oid);
        return;
      }
      const obj = store(o).get(oid);
      if (flag === "-t") out(`${obj.type}\n`);
      else if (flag === "-s") out(`${obj.body.length}\n`);
      else if (flag === "-p") out(showObject(obj, { ...showSteps, ...o.show }));
      else usage(`unknown option ${flag}`);
      return;
    }
    case "write-tree": {
      // From the index when there is one (stage 7 on); before that, from the working directory.
      const s = store(o);
      const { gitDir, workTree } = findGitDir(process.cwd());
      const steps = { ...treeSteps, ...o.tree };
      const oid = existsSync(indexPath(gitDir)) ? writeTreeFromIndex(s, readIndex(gitDir).filter((e) => e.stage === 0), steps) : writeTreeFromDir(s, workTree, steps);
      out(`${oid}\n`);
      return;
    }
    case "ls-tree": {
      const [treeish] = rest;
      if (treeish === undefined) usage("usage: git ls-tree [--name-only] [-r] <tree-ish>");
      out(lsTree(store(o), treeish, { nameOnly: flags.includes("--name-only"), recursive: flags.includes("-r") }, { ...showSteps, ...o.show }));
      return;
    }
    case "commit-tree": {
      const parents: string[] = [];
      const messages: string[] = [];
      let tree: string | undefined;
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        if (a === "-p" || a === "-m") {
          const value = args[++i] ?? usage(`option ${a} needs a value`);
          (a === "-p" ? parents : messages).push(value);
        } else tree = a;
      }
      if (tree === undefined) usage("usage: git commit-tree <tree> [-p <parent>]... -m <message>");
      const s = store(o);
      for (const id of [tree, ...parents]) s.get(id);
      if (messages.length === 0) messages.push(readFileSync(0, "utf8").replace(/\n$/, ""));
      const now = new Date();
      const body = (o.encodeCommit ?? encodeCommit)({ tree, parents, author: ident("AUTHOR", process.env, now), committer: ident("COMMITTER", process.env, now), messages });
      out(`${s.put("commit", body)}\n`);
      return;
    }
    case "add": {
      if (rest.length === 0) usage("Nothing specified, nothing added.");
      const { gitDir, workTree } = findGitDir(process.cwd());
      const index = add(store(o), workTree, readIndex(gitDir), rest.map((a) => fromTop(workTree, a)));
      writeIndex(gitDir, index, { ...indexSteps, ...o.index });
      return;
    }
    case "ls-files": {
      const index = readIndex(findGitDir(process.cwd()).gitDir);
      out(lsFiles(index, flags.includes("--stage") || flags.includes("-s"), { ...showSteps, ...o.show }));
      return;
    }
    case "status": {
      if (!flags.includes("--porcelain")) usage("usage: git status --porcelain");
      const { gitDir, workTree } = findGitDir(process.cwd());
      const s = store(o);
      out(statusPorcelain(s, workTree, headFiles(s, gitDir), readIndex(gitDir), { ...statusSteps, ...o.status }));
      return;
    }
    case "rm": {
      if (rest.length === 0) usage("usage: git rm [--cached] [-r] [-q] <file>...");
      const { gitDir, workTree } = findGitDir(process.cwd());
      const opts = { cached: flags.includes("--cached"), recursive: flags.includes("-r") };
      const result = rm(workTree, readIndex(gitDir), rest.map((a) => fromTop(workTree, a)), opts, { ...rmSteps, ...o.rm });
      writeIndex(gitDir, result.index, { ...indexSteps, ...o.index });
      if (!flags.includes("-q")) out(result.removed.map((p) => `rm '${p}'\n`).join(""));
      return;
    }
    default:
      usage(`'${command ?? ""}' is not a command this git knows`);
  }
}

/** Runs one command; returns the exit code. */
export function runMain(argv: string[], options: MainOptions = {}): number {
  const out: Out = (text) => void process.stdout.write(text);
  try {
    run(argv, options, out);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      return 129;
    }
    if (e instanceof GitError) {
      process.stderr.write(`fatal: ${e.message}\n`);
      return 128;
    }
    throw e;
  }
}

export type { ObjectType };

if (import.meta.main) process.exitCode = runMain(Bun.argv.slice(2));
