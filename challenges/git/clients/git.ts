/**
 * Real git as the judge of the Git stages. Every command — real git and the
 * program under test — runs with the same environment: HOME in the case's
 * directory and no system config, so no user's settings matter, and fixed
 * author and committer names and dates, so object ids are reproducible. The
 * transcript starts with that environment as an `export` line a learner can
 * paste before the other `$` lines.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { CommandResult } from "../../../harness/clients/command.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { shellQuote, visible } from "../../../harness/report/show.ts";
import { describeFiles, writeFiles, type RepoFile } from "./git-repo.ts";

export const GIT_PACKAGE = "git";

/** The identity and dates every commit of a case gets (git's internal date format: `<unix time> <+hhmm>`). */
export interface Identity {
  GIT_AUTHOR_NAME: string;
  GIT_AUTHOR_EMAIL: string;
  GIT_AUTHOR_DATE: string;
  GIT_COMMITTER_NAME: string;
  GIT_COMMITTER_EMAIL: string;
  GIT_COMMITTER_DATE: string;
}

export interface RunOpts {
  cwd?: string;
  stdin?: string | Uint8Array;
  /** Variables added for this command only, shown in front of it (`VAR=value git …`). */
  env?: Record<string, string>;
}

/** A case's Git setup: its environment, and where repositories go. */
export class GitCase {
  readonly env: Record<string, string | undefined>;
  /** The directory the transcript last `cd`-ed to. */
  private here: string | undefined;

  private constructor(
    private readonly t: CaseContext,
    readonly identity: Identity,
  ) {
    const home = join(t.dir, "home");
    mkdirSync(home, { recursive: true });
    this.env = {
      HOME: home,
      XDG_CONFIG_HOME: join(home, ".config"),
      GIT_CONFIG_NOSYSTEM: "1",
      LC_ALL: "C",
      TZ: "UTC",
      ...identity,
      // Never inherit a repository from the test process's environment.
      GIT_DIR: undefined,
      GIT_WORK_TREE: undefined,
      GIT_INDEX_FILE: undefined,
      GIT_OBJECT_DIRECTORY: undefined,
    };
  }

  /** Sets up the environment (logged as an `export` line) with an identity drawn from the seed. */
  static start(t: CaseContext): GitCase {
    const person = `${t.rand.word()} ${t.rand.word()}`.replace(/\b\w/g, (c) => c.toUpperCase());
    const email = `${t.rand.word()}${t.rand.int(1, 99)}@example.test`;
    // A day of the month from 2 to 5 (UTC), so the first commits of a history show a day below 10 (unpadded in git log).
    const day = new Date((1_600_000_000 + t.rand.int(0, 100_000_000)) * 1000);
    day.setUTCDate(t.rand.int(2, 5));
    const time = Math.floor(day.getTime() / 1000);
    // Both signs on every seed: the author's zone is west of UTC (`-hhmm`), the committer's east (`+hhmm`).
    const identity: Identity = {
      GIT_AUTHOR_NAME: person,
      GIT_AUTHOR_EMAIL: email,
      GIT_AUTHOR_DATE: `${time} ${t.rand.pick(["-0700", "-0230", "-0500", "-1000"])}`,
      GIT_COMMITTER_NAME: "Syscraft Tester",
      GIT_COMMITTER_EMAIL: "tester@example.test",
      GIT_COMMITTER_DATE: `${time + t.rand.int(0, 5000)} ${t.rand.pick(["+0100", "+0200", "+0530", "+1245"])}`,
    };
    const g = new GitCase(t, identity);
    const shown = Object.entries(g.env).filter((e): e is [string, string] => e[1] !== undefined);
    t.log.command(`export ${shown.map(([k, v]) => `${k}=${shellQuote(v)}`).join(" ")}`);
    return g;
  }

  /** A directory for a repository, `<case dir>/<name>` (created). */
  dir(name: string): string {
    const d = join(this.t.dir, name);
    mkdirSync(d, { recursive: true });
    this.t.log.command(`mkdir -p ${shellQuote(d)}`);
    return d;
  }

  /** Options for a command, logging `cd <dir>` when it runs somewhere else than the last one. */
  private opts(o: RunOpts) {
    const cwd = o.cwd ?? this.t.dir;
    if (cwd !== this.here) this.t.log.command(`cd ${shellQuote(cwd)}`);
    this.here = cwd;
    return { cwd, stdin: o.stdin, env: { ...this.env, ...o.env } };
  }

  private prefix(o: RunOpts): string {
    return Object.entries(o.env ?? {})
      .map(([k, v]) => `${k}=${shellQuote(v)} `)
      .join("");
  }

  /** Real git, which must succeed (a failure here is the test's own problem, or a repository real git rejects). */
  async git(args: string[], o: RunOpts & { allowFail?: boolean; hint?: string } = {}): Promise<CommandResult> {
    const argv = ["git", ...args];
    const r = await this.t.client(GIT_PACKAGE, argv, { ...this.opts(o), display: `${this.prefix(o)}${argv.map(shellQuote).join(" ")}` });
    if (r.code !== 0 && !o.allowFail) {
      this.t.fail({
        message: `Real git failed (exit code ${r.code}) on: git ${args.join(" ")}\n${r.output.trim()}`,
        hint: o.hint ?? "Real git could not read what your program wrote: check the objects and files it created against the format.",
      });
    }
    return r;
  }

  /** The program under test, run like git; it must exit 0 (unless `allowFail`: the caller checks the code). */
  async ours(args: string[], o: RunOpts & { hint?: string; allowFail?: boolean } = {}): Promise<CommandResult> {
    const r = await this.t.run(args, this.opts(o));
    if (r.code !== 0 && !o.allowFail) {
      this.t.fail({
        message: `Your program exited with code ${r.code} on: ${args.join(" ")}`,
        hint: o.hint ?? "Its output (stdout and stderr) is under its `$` line in the transcript below.",
      });
    }
    return r;
  }

  /** Writes files into `root` and notes them in the transcript. */
  writeFiles(root: string, files: RepoFile[]): void {
    writeFiles(root, files);
    this.t.log.note(`the test wrote these files in ${root}:`);
    for (const line of describeFiles(files).split("\n")) this.t.log.note(`  ${line}`);
  }

  /** A repository made by real git in `<case dir>/<name>`, with `files` written in it (not committed). */
  async realRepo(name: string, files: RepoFile[] = []): Promise<string> {
    const repo = this.dir(name);
    await this.git(["init", "-q"], { cwd: repo });
    if (files.length > 0) this.writeFiles(repo, files);
    return repo;
  }

  /** Real git commits everything in the work tree; returns the commit's id. */
  async commitAll(repo: string, message: string): Promise<string> {
    await this.git(["add", "-A"], { cwd: repo });
    await this.git(["commit", "-q", "-m", message], { cwd: repo });
    return (await this.git(["rev-parse", "HEAD"], { cwd: repo })).stdout.trim();
  }

  /** `git fsck --strict` must find nothing wrong with the repository. */
  async fsck(cwd: string, hint: (output: string) => string, heads: string[] = []): Promise<void> {
    const r = await this.git(["fsck", "--strict", "--no-dangling", ...heads], { cwd, allowFail: true });
    const problems = r.output
      .split("\n")
      .filter((l) => /error|warning|fatal|missing|broken|bad|mismatch/i.test(l))
      .join("\n");
    if (r.code !== 0 || problems !== "") this.t.fail({ message: `git fsck --strict finds problems in the objects your program wrote:\n${(problems || r.output).trim()}`, hint: hint(r.output) });
  }

  /** Fails unless the bytes are the same, showing where they first differ (escaped, so binary shows). */
  expectBytes(received: Uint8Array, expected: Uint8Array, details: { message: string; hint: string }): void {
    if (Buffer.compare(Buffer.from(received), Buffer.from(expected)) === 0) return;
    let at = 0;
    while (at < received.length && at < expected.length && received[at] === expected[at]) at++;
    const from = Math.max(0, at - 20);
    const show = (b: Uint8Array) => `${from > 0 ? "…" : ""}${visible(b.subarray(from, at + 40))}${b.length > at + 40 ? "…" : ""}`;
    this.t.fail({ ...details, message: `${details.message}\nThey differ from byte ${at} on (expected ${expected.length} bytes, received ${received.length}).`, expected: show(expected), received: show(received) });
  }

  /** A 40-hex object id as the whole output, or a failure saying what came instead. */
  expectOid(r: CommandResult, what: string): string {
    const out = r.stdout.trim();
    if (!/^[0-9a-f]{40}\n$/.test(r.stdout)) this.t.fail({ message: `${what} should print one object id (40 lowercase hex digits and a newline).`, expected: "<40 hex digits>", received: r.stdout, hint: "Print the SHA-1 in hex, lowercase, followed by a newline, and nothing else on stdout." });
    return out;
  }
}
