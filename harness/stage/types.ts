import type { Challenge, StageInfo } from "../challenge/schema.ts";
import type { CaseContext } from "./context.ts";

/** One test case of a stage: a behaviour, named in words a user of the system would use. */
export interface StageCase {
  name: string;
  /** Time limit in seconds; default: the stage's, else 10. */
  timeout?: number;
  run(t: CaseContext): Promise<void>;
}

export interface StageDefinition {
  challenge: Challenge;
  stage: StageInfo;
  cases: StageCase[];
  /** The .test.ts file that defines it. */
  file: string;
}

export interface CaseResult {
  challenge: string;
  /** The stage's id: "3" for base stage 3, "lists/2" for stage 2 of the lists extension. */
  stage: string;
  stageSlug: string;
  case: string;
  /** Position of the case in its stage (1-based), and how many cases the stage has. */
  caseIndex: number;
  caseCount: number;
  ok: boolean;
  /** The full failure report; empty when ok. */
  message: string;
  durationMs: number;
  seed: string;
  impl: string;
}
