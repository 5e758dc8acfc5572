import type { Challenge } from "./challenge/schema.ts";
import type { CaseResult } from "./stage/types.ts";

export interface ChallengeSummary {
  challenge: string;
  impl: string;
  /** Stage numbers that were selected to run. */
  selected: number[];
  /** Selected stages whose every case ran and passed. */
  passed: number[];
  /** The lowest selected stage that did not pass, if any. */
  firstFailing: number | null;
  /** Percentage of selected stages passed. */
  score: number;
  cases: { stage: number; case: string; ok: boolean; durationMs: number }[];
}

/** A stage passes when every one of its cases ran and passed. */
export function summarize(challenge: Challenge, selected: number[], results: CaseResult[], impl: string): ChallengeSummary {
  const mine = results.filter((r) => r.challenge === challenge.slug);
  const passed = selected.filter((n) => {
    const rs = mine.filter((r) => r.stage === n);
    const expected = rs[0]?.caseCount ?? 0;
    return rs.length > 0 && new Set(rs.map((r) => r.caseIndex)).size === expected && rs.every((r) => r.ok);
  });
  const failing = selected.filter((n) => !passed.includes(n)).sort((a, b) => a - b);
  return {
    challenge: challenge.slug,
    impl,
    selected,
    passed,
    firstFailing: failing[0] ?? null,
    score: selected.length === 0 ? 0 : Math.round((100 * passed.length) / selected.length),
    cases: mine.map((r) => ({ stage: r.stage, case: r.case, ok: r.ok, durationMs: r.durationMs })),
  };
}
