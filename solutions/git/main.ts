/**
 * A Git command-line tool, run like git in a repository:
 *   bun solutions/git/main.ts init [<dir>]
 *   … hash-object [-w] <file>…      cat-file (-p | -t | -s | -e) <object>
 *   … write-tree                    ls-tree [--name-only] [-r] <tree-ish>
 *   … commit-tree <tree> [-p <parent>]… -m <message>…
 *   … add <path>…                   ls-files [--stage | -s]
 *   … status --porcelain            rm [--cached] [-r] [-q] <path>…
 *   … diff [--cached | <commit> <commit>]
 *   … branch [<name> [<start>]]     checkout [-b] <branch>    switch [-c] <branch>
 *   … log [--oneline] [<revision>]   merge <branch>
 *   … pack-objects <base-name> < object ids    (cat-file and the rest read packed objects too)
 *   … clone git://<host>:<port>/<path> [<dir>] (or http://…)   fetch [origin]
 *   … push [<remote> [[+]<src>[:<dst>]...]]   serve --port <port> [--host <host>] <dir> (a git:// server)
 * Errors go to stderr as `fatal: …` with exit code 128, as git's do.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
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
import { diffSteps, patch, type DiffSteps } from "./diff.ts";
import { comparePaths, headSides, indexSides, treeSides, worktreeSides } from "./diff-files.ts";
import { currentBranch, readRef, resolveRev, writeRef } from "./refs.ts";
import { createBranch, listBranches } from "./branch.ts";
import { checkoutSteps, checkoutTree, type CheckoutSteps } from "./checkout.ts";
import { clone, fetch } from "./clone.ts";
import { push } from "./push.ts";
import { serve } from "./serve.ts";
import { packSteps, writePack, type PackSteps } from "./pack.ts";
import { merge, mergeSteps, type MergeSteps } from "./merge.ts";
import { formatLog, logSteps, walk, type LogSteps } from "./log.ts";
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
  diff?: Partial<DiffSteps>;
  checkout?: Partial<CheckoutSteps>;
  log?: Partial<LogSteps>;
  merge?: Partial<MergeSteps>;
  pack?: Partial<PackSteps>;
}

type Out = (text: string | Uint8Array) => void;

function usage(text: string): never {
  throw new UsageError(text);
}
class UsageError extends Error {}

function store(o: MainOptions): ObjectStore {
  return new ObjectStore(findGitDir(process.cwd()).gitDir, o.hashing ?? hashing);
}

function run(argv: string[], o: MainOptions, out: Out): number | void | Promise<number | void> {
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
    case "diff": {
      const { gitDir, workTree } = findGitDir(process.cwd());
      const s = store(o);
      const steps = { ...diffSteps, ...o.diff };
      const revs = rest.filter((a) => a !== "--");
      let pairs;
      if (revs.length === 2) pairs = comparePaths(treeSides(s, resolveRev(s, revs[0]!)), treeSides(s, resolveRev(s, revs[1]!)));
      else if (revs.length === 0 && (flags.includes("--cached") || flags.includes("--staged"))) pairs = comparePaths(headSides(s), indexSides(s, readIndex(gitDir)));
      else if (revs.length === 0 && flags.length === 0) {
        const index = readIndex(gitDir);
        pairs = comparePaths(indexSides(s, index), worktreeSides(s, workTree, index));
      } else usage("usage: git diff [--cached | <commit> <commit>]");
      out(patch(pairs, steps));
      return;
    }
    case "branch": {
      const { gitDir } = findGitDir(process.cwd());
      if (rest.length === 0) out(listBranches(gitDir));
      else createBranch(gitDir, rest[0]!, resolveRev(store(o), rest[1] ?? "HEAD"));
      return;
    }
    case "checkout":
    case "switch": {
      const { gitDir, workTree } = findGitDir(process.cwd());
      const [name] = rest;
      if (name === undefined) usage(`usage: git ${command} [${command === "switch" ? "-c" : "-b"}] <branch>`);
      const s = store(o);
      if (flags.includes("-b") || flags.includes("-c")) {
        createBranch(gitDir, name, resolveRev(s, "HEAD"));
        writeRef(gitDir, "HEAD", `ref: refs/heads/${name}`);
        process.stderr.write(`Switched to a new branch '${name}'\n`);
        return;
      }
      const commit = readRef(gitDir, `refs/heads/${name}`);
      if (commit === undefined) throw new GitError(`invalid reference: ${name}`);
      if (currentBranch(gitDir) === name) {
        process.stderr.write(`Already on '${name}'\n`);
        return;
      }
      checkoutTree(s, workTree, commit, { ...checkoutSteps, ...o.checkout });
      writeRef(gitDir, "HEAD", `ref: refs/heads/${name}`);
      process.stderr.write(`Switched to branch '${name}'\n`);
      return;
    }
    case "merge": {
      const [name] = rest;
      if (name === undefined) usage("usage: git merge <branch>");
      const { workTree } = findGitDir(process.cwd());
      const s = store(o);
      const now = new Date();
      const result = merge(s, workTree, resolveRev(s, "HEAD"), resolveRev(s, name), name, (role) => ident(role, process.env, now), { ...mergeSteps, ...o.merge });
      out(result.output);
      return result.code;
    }
    case "pack-objects": {
      const [base] = rest;
      if (base === undefined) usage("usage: git pack-objects <base-name> < <object list>");
      const s = store(o);
      const ids = [...new Set(readFileSync(0, "utf8").split("\n").map((l) => l.trim().split(" ")[0]!).filter((l) => /^[0-9a-f]{40}$/.test(l)))];
      const { pack, idx, checksum } = writePack(ids.map((oid) => ({ oid, ...s.get(oid) })), { ...packSteps, ...o.pack });
      writeFileSync(`${base}-${checksum}.pack`, pack, { mode: 0o444 });
      writeFileSync(`${base}-${checksum}.idx`, idx, { mode: 0o444 });
      out(`${checksum}\n`);
      return;
    }
    case "clone": {
      const [url, dir] = rest;
      if (url === undefined) usage("usage: git clone <repository> [<directory>]");
      return clone(url, dir).then((text) => void process.stderr.write(text));
    }
    case "fetch":
      return fetch(findGitDir(process.cwd()).gitDir, rest[0]);
    case "push": {
      const [remote, ...specs] = rest;
      return push(store(o), remote ?? "origin", specs).then(({ code, stderr }) => {
        process.stderr.write(stderr);
        return code;
      });
    }
    case "serve": {
      const at = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
      const port = Number(at("--port"));
      const dir = args.filter((a, i) => !a.startsWith("--") && !["--port", "--host"].includes(args[i - 1] ?? ""))[0];
      if (!Number.isInteger(port) || port <= 0 || dir === undefined) usage("usage: git serve --port <port> [--host <host>] <base directory>");
      return serve(port, at("--host") ?? "127.0.0.1", dir);
    }
    case "log": {
      const s = store(o);
      out(formatLog(walk(s, resolveRev(s, rest[0] ?? "HEAD")), flags.includes("--oneline"), { ...logSteps, ...o.log }));
      return;
    }
    default:
      usage(`'${command ?? ""}' is not a command this git knows`);
  }
}

/** How a failure ends the command: git's message and exit code. */
function failed(e: unknown): number {
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

/** Runs one command; returns the exit code (a network command sets process.exitCode itself when it ends). */
export function runMain(argv: string[], options: MainOptions = {}): number {
  const out: Out = (text) => void process.stdout.write(text);
  try {
    const result = run(argv, options, out);
    if (result instanceof Promise) {
      result.then(
        (code) => void (process.exitCode = code ?? 0),
        (e: unknown) => void (process.exitCode = failed(e)),
      );
      return 0;
    }
    return result ?? 0;
  } catch (e) {
    return failed(e);
  }
}

export type { ObjectType };

if (import.meta.main) process.exitCode = runMain(Bun.argv.slice(2));
