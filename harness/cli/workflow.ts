/**
 * The GitHub Actions workflow `bun run init` writes into a learner's
 * repository (.github/workflows/syscraft.yml), from one template for every
 * challenge: it installs only what the challenge needs and grades the stage
 * the learner's syscraft.yml names, with its regression.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { allStages } from "../challenge/stages.ts";
import type { Challenge } from "../challenge/schema.ts";
import { ROOT } from "../paths.ts";

export const WORKFLOW_PATH = join(".github", "workflows", "syscraft.yml");
export const REPO_PLACEHOLDER = "your-github-name/syscraft";

/** owner/name of this checkout's GitHub remote (origin), if it has one. */
export function githubRepo(dir = ROOT): string | undefined {
  const r = Bun.spawnSync(["git", "-C", dir, "remote", "get-url", "origin"], { stderr: "ignore" });
  const url = r.exitCode === 0 ? r.stdout.toString().trim() : "";
  return /github\.com[:/]([\w.-]+\/[\w.-]+?)(?:\.git)?$/.exec(url)?.[1];
}

export function workflowText(challenge: Challenge, repo: string | undefined): string {
  // Stages that run programs as root (namespaces, packet sockets) need it on the runner too: GitHub's runners have passwordless sudo.
  const root = allStages(challenge).some((s) => s.needs?.includes("root"));
  return readFileSync(join(import.meta.dir, "templates", "syscraft-workflow.yml"), "utf8")
    .replaceAll("@REPO@", repo ?? REPO_PLACEHOLDER)
    .replaceAll("@CHALLENGE@", challenge.slug)
    .replaceAll("@SUDO@", root ? 'sudo -E env "PATH=$PATH" ' : "");
}
