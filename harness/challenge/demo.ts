/**
 * A small in-memory challenge with extensions, for the harness's own tests:
 * base stages 1..3, and the extensions lists (requires sets), sets, and
 * blocking (requires lists). Nothing here is on disk.
 */
import { parseChallenge } from "./load.ts";
import type { Challenge } from "./schema.ts";
import { extensionFile } from "./validate.ts";

export const DEMO_FILE = "challenges/demo/challenge.yaml";

function stageLines(slugs: string[]): string {
  return slugs.map((slug, i) => `  - { number: ${i + 1}, slug: ${slug}, name: ${slug}, difficulty: easy, spec: [{ title: Spec, url: "https://example.org/${slug}" }] }`).join("\n");
}

export const DEMO_YAML = `
name: Demo
summary: A demo.
program: { kind: server, args: ["--port", "{port}"], ready: tcp, reference: bun demo.ts }
clients: [{ binary: nc, package: netcat-openbsd }]
stages:
${stageLines(["first", "second", "third"])}
extensions: [lists, sets, blocking]
`;

export const DEMO_EXTENSIONS: Record<string, string> = {
  lists: `name: Lists\nsummary: Lists.\nrequires: [sets]\nstages:\n${stageLines(["push", "range"])}\n`,
  sets: `name: Sets\nsummary: Sets.\nstages:\n${stageLines(["add", "members"])}\n`,
  blocking: `name: Blocking\nsummary: Blocking pops.\nrequires: [lists]\nstages:\n${stageLines(["pop", "timeout", "fairness"])}\n`,
};

/** Parses the demo challenge, with `extensions` (slug → text of its .yaml) as the files that exist. */
export function parseDemo(challengeText = DEMO_YAML, extensions = DEMO_EXTENSIONS): Challenge {
  const files = new Map(Object.entries(extensions).map(([slug, text]) => [extensionFile(DEMO_FILE, slug), text]));
  return parseChallenge(challengeText, DEMO_FILE, "demo", (path) => files.get(path));
}
