/** The shape of challenges/<slug>/challenge.yaml, once validated. */

export type Readiness = "tcp" | "udp" | "none";
export const READINESS: readonly Readiness[] = ["tcp", "udp", "none"];
export const DIFFICULTIES = ["very easy", "easy", "medium", "hard", "very hard"] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];
/** What a stage can need from the machine (checked before each case by harness/netns/needs.ts). */
export const NEEDS = ["root", "netns", "raw-socket", "tun", "fuse", "cgroup"] as const;
export type Need = (typeof NEEDS)[number];

export interface SpecRef {
  title: string;
  url: string;
}

export interface Client {
  /** The executable the tests run, looked up on PATH. */
  binary: string;
  /** The Debian/Ubuntu package that provides it. */
  package: string;
}

export interface ProgramContract {
  /** `server`: a long-running process the tests talk to; `command`: a command-line tool run once per call. */
  kind: "server" | "command";
  /** Arguments appended to the implementation's command line. Placeholders: {port} {dir} {host}. */
  args: string[];
  /** How the harness knows a server is up. */
  ready: Readiness;
  /** Command line of the reference solution, run from the project root. */
  reference: string;
}

export interface RealImplementation {
  command: string;
  package: string;
}

export interface StageInfo {
  /** "3" for base stage 3, "lists/2" for stage 2 of the extension "lists". Shown as `<challenge>/<id>`, e.g. redis/lists/2. */
  id: string;
  /** The extension the stage belongs to; absent for a base stage. */
  extension?: string;
  /** Position within the base stages or within its extension, from 1. */
  number: number;
  slug: string;
  name: string;
  difficulty: Difficulty;
  spec: SpecRef[];
  /** Per-case time limit in seconds (default 10). */
  timeout?: number;
  /** Set when the stage cannot agree with the real implementation: the reason (its .md explains it verbatim). */
  realDiffers?: string;
  /** What the machine must offer (root, network namespaces…); a case fails at once, saying what is missing, when it does not. */
  needs?: Need[];
}

/** A named group of stages that starts after the base stages (challenges/<slug>/extensions/<ext>.yaml). */
export interface Extension {
  slug: string;
  name: string;
  summary: string;
  /** Extensions whose stages are regression prerequisites of this one's (as listed; see prerequisites()). */
  requires: string[];
  stages: StageInfo[];
  /** Absolute path of the <ext>.yaml this came from. */
  file: string;
}

export interface Challenge {
  slug: string;
  name: string;
  summary: string;
  program: ProgramContract;
  real?: RealImplementation;
  clients: Client[];
  /** The base stages, numbered 1..N. */
  stages: StageInfo[];
  /** In the order challenge.yaml lists them. */
  extensions: Extension[];
  /** Absolute path of the challenge.yaml this came from. */
  file: string;
}
