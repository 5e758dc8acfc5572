/** The shape of challenges/<slug>/challenge.yaml, once validated. */

export type Readiness = "tcp" | "udp" | "none";
export const READINESS: readonly Readiness[] = ["tcp", "udp", "none"];
export const DIFFICULTIES = ["very easy", "easy", "medium", "hard", "very hard"] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

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
  number: number;
  slug: string;
  name: string;
  difficulty: Difficulty;
  spec: SpecRef[];
  /** Per-case time limit in seconds (default 10). */
  timeout?: number;
}

export interface Challenge {
  slug: string;
  name: string;
  summary: string;
  program: ProgramContract;
  real?: RealImplementation;
  clients: Client[];
  stages: StageInfo[];
  /** Absolute path of the challenge.yaml this came from. */
  file: string;
}
