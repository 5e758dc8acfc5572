/**
 * Histories for the branch, log and merge stages, made by real git: commits
 * with messages of one or more paragraphs and author dates in various time
 * zones, drawn from the seed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { CaseContext } from "../../../harness/stage/context.ts";
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

/**
 * The author's zone of the commit at each step, so that any four steps in a row have them all: west of UTC
 * with minutes (-0230) and whole hours (-1000), east with minutes (+0530, +1245).
 */
const ZONES = ["-0230", "+0530", "-1000", "+1245"] as const;

/** Seconds into the UTC day at which a commit in `zone` shows another calendar day than UTC does (the day boundary), or at -0230 a time of day whose every field is one digit. */
function acrossMidnight(t: CaseContext, zone: string): number {
  if (zone === "-1000") return t.rand.int(0, 9 * 3600); // 00:00–09:00 UTC is the day before at -1000
  if (zone === "+1245") return t.rand.int(12 * 3600, 20 * 3600); // 12:00–20:00 UTC is the next day at +1245, before 09:00
  // The padding boundary: at -0230 (every history's step 0) the local time's hour, minute and second are each below 10 (07:04:09).
  if (zone === "-0230") return 9000 + t.rand.int(0, 9) * 3600 + t.rand.int(0, 9) * 60 + t.rand.int(0, 9);
  return t.rand.int(0, 86_399);
}

/**
 * Real git commits what is staged, with its own author date (`-m` per paragraph); returns the commit's id.
 * The author's zone is ZONES[step % 4]; in -1000 and +1245 the local date is another day than UTC's.
 */
export async function commitWithDate(t: CaseContext, g: GitCase, repo: string, step: number, message = randomMessage(t)): Promise<string> {
  const base = Number(g.identity.GIT_AUTHOR_DATE.split(" ")[0]);
  const zone = ZONES[step % ZONES.length]!;
  const when = base - (base % 86_400) + step * 86_400 + acrossMidnight(t, zone);
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
