/**
 * Histories for the branch, log and merge stages, made by real git: commits
 * with messages of one or more paragraphs and author dates in various time
 * zones, drawn from the seed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { CaseContext } from "../stage/context.ts";
import type { GitCase } from "./git.ts";
import { randomText } from "./git-repo.ts";

/** A commit message: a subject, sometimes a body of one or two paragraphs. */
export function randomMessage(t: CaseContext): string[] {
  const w = () => t.rand.word();
  const subject = `${t.rand.pick(["Add", "Fix", "Update", "Remove", "Rename"])} ${w()} ${t.rand.pick(["handling", "tests", "docs", "parser"])}`;
  const paras = [subject];
  for (let i = t.rand.int(0, 2); i > 0; i--) paras.push(Array.from({ length: t.rand.int(1, 3) }, () => `${w()} ${w()} ${w()}.`).join("\n"));
  return paras;
}

/** Real git commits what is staged, with its own author date (`-m` per paragraph); returns the commit's id. */
export async function commitWithDate(t: CaseContext, g: GitCase, repo: string, step: number, message = randomMessage(t)): Promise<string> {
  const base = Number(g.identity.GIT_AUTHOR_DATE.split(" ")[0]);
  const when = base + step * 86_400 + t.rand.int(0, 80_000);
  const zone = t.rand.pick(["+0100", "-0700", "+0530", "-0230", "+1245", "-1000"]);
  await g.git(["commit", "-q", "--allow-empty", ...message.flatMap((m) => ["-m", m])], { cwd: repo, env: { GIT_AUTHOR_DATE: `${when} ${zone}`, GIT_COMMITTER_DATE: `${when + 60} +0000` } });
  return (await g.git(["rev-parse", "HEAD"], { cwd: repo })).stdout.trim();
}

/** Writes a file (creating its directory) and notes it in the transcript. */
export function writeNoted(t: CaseContext, repo: string, path: string, content: Uint8Array | string, what = "wrote"): void {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), content);
  t.log.note(`the test ${what} ${path}`);
}

/** `n` commits on the current branch, each changing a file or two; returns their ids, oldest first. */
export async function linearHistory(t: CaseContext, g: GitCase, repo: string, n: number, firstStep = 1): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    writeNoted(t, repo, `${t.rand.word()}-${firstStep + i}.txt`, randomText(t.rand));
    await g.git(["add", "-A"], { cwd: repo });
    ids.push(await commitWithDate(t, g, repo, firstStep + i));
  }
  return ids;
}
