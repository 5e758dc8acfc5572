/**
 * `git log` in its default (medium) format and `--oneline`: commits from a
 * start, newest commit date first.
 * https://git-scm.com/docs/git-log, https://git-scm.com/docs/pretty-formats
 */
import type { ObjectStore } from "./objects.ts";

export interface Commit {
  oid: string;
  parents: string[];
  author: { ident: string; time: number; zone: string };
  committerTime: number;
  message: string;
}

export function parseCommit(store: ObjectStore, oid: string): Commit {
  const text = Buffer.from(store.get(oid).body).toString("utf8");
  const split = text.indexOf("\n\n");
  const header = split < 0 ? text : text.slice(0, split);
  const message = split < 0 ? "" : text.slice(split + 2);
  const field = (name: string) => new RegExp(`^${name} (.*)$`, "m").exec(header)?.[1] ?? "";
  const person = (line: string) => {
    const m = /^(.*) (\d+) ([+-]\d{4})$/.exec(line);
    return m ? { ident: m[1]!, time: Number(m[2]), zone: m[3]! } : { ident: line, time: 0, zone: "+0000" };
  };
  return { oid, parents: [...header.matchAll(/^parent ([0-9a-f]{40})$/gm)].map((m) => m[1]!), author: person(field("author")), committerTime: person(field("committer")).time, message };
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** git's default date: `Mon Sep 7 13:36:40 2020 +0530`, in the commit's own time zone. */
export function gitDate(time: number, zone: string): string {
  const sign = zone[0] === "-" ? -1 : 1;
  const offset = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
  const d = new Date((time + offset * 60) * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()} ${zone}`;
}

/** Commits reachable from `start`, the most recent committer date first (ties: the order they were found). */
export function walk(store: ObjectStore, start: string): Commit[] {
  const seen = new Set<string>([start]);
  const queue = [parseCommit(store, start)];
  const out: Commit[] = [];
  while (queue.length > 0) {
    let best = 0;
    for (let i = 1; i < queue.length; i++) if (queue[i]!.committerTime > queue[best]!.committerTime) best = i;
    const c = queue.splice(best, 1)[0]!;
    out.push(c);
    for (const p of c.parents) {
      if (seen.has(p)) continue;
      seen.add(p);
      queue.push(parseCommit(store, p));
    }
  }
  return out;
}

/** The subject: the first paragraph, its lines joined by spaces. */
export function subject(message: string): string {
  return message.replace(/^\n+/, "").split(/\n\s*\n/)[0]!.trim().split("\n").join(" ");
}

/** How dates are shown (a fixture replaces it). */
export interface LogSteps {
  date: (time: number, zone: string) => string;
  /** The subject `--oneline` prints (a fixture replaces it; the reference uses subject()). */
  subject?: (message: string) => string;
}

export const logSteps: LogSteps = { date: gitDate };

export function formatLog(commits: Commit[], oneline: boolean, steps: LogSteps = logSteps): string {
  if (oneline) return commits.map((c) => `${c.oid.slice(0, 7)} ${(steps.subject ?? subject)(c.message)}\n`).join("");
  return commits
    .map((c) => {
      const merge = c.parents.length > 1 ? `Merge: ${c.parents.map((p) => p.slice(0, 7)).join(" ")}\n` : "";
      const body = c.message.replace(/\n+$/, "").split("\n").map((l) => `    ${l}\n`).join("");
      return `commit ${c.oid}\n${merge}Author: ${c.author.ident}\nDate:   ${steps.date(c.author.time, c.author.zone)}\n\n${body}`;
    })
    .join("\n");
}
