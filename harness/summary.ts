import type { Challenge, StageInfo } from "./challenge/schema.ts";
import { allStages } from "./challenge/stages.ts";
import type { CaseResult } from "./stage/types.ts";

/** How the selected stages of one group (the base stages, or one extension's) fared. Stages are ids ("3", "lists/2"). */
export interface GroupSummary {
  /** The extension's slug; null for the base stages. */
  extension: string | null;
  /** "base", or the extension's name. */
  name: string;
  selected: string[];
  passed: string[];
  /** The first selected stage of the group that did not pass, if any. */
  firstFailing: string | null;
}

export interface ChallengeSummary {
  challenge: string;
  /** The program graded, and where it came from ("from --impl", "the reference solution: …"). */
  impl: string;
  implFrom?: string;
  /** Ids of the stages that were selected to run, base first, then each extension's. */
  selected: string[];
  /** Selected stages whose every case ran and passed. */
  passed: string[];
  /** The first selected stage that did not pass, if any. */
  firstFailing: string | null;
  /** Percentage of selected stages passed. */
  score: number;
  /** The base stages, then each extension, when any of its stages was selected. */
  groups: GroupSummary[];
  cases: { stage: string; case: string; ok: boolean; durationMs: number }[];
}

/** A stage passes when every one of its cases ran and passed. */
function stagePassed(results: CaseResult[], id: string): boolean {
  const rs = results.filter((r) => r.stage === id);
  const expected = rs[0]?.caseCount ?? 0;
  return rs.length > 0 && new Set(rs.map((r) => r.caseIndex)).size === expected && rs.every((r) => r.ok);
}

function groupSummary(extension: string | null, name: string, stages: StageInfo[], passed: Set<string>): GroupSummary {
  const selected = stages.map((s) => s.id);
  return { extension, name, selected, passed: selected.filter((id) => passed.has(id)), firstFailing: selected.find((id) => !passed.has(id)) ?? null };
}

export function summarize(challenge: Challenge, selected: StageInfo[], results: CaseResult[], impl: string): ChallengeSummary {
  const mine = results.filter((r) => r.challenge === challenge.slug);
  const ordered = allStages(challenge).filter((s) => selected.some((x) => x.id === s.id));
  const passed = new Set(ordered.filter((s) => stagePassed(mine, s.id)).map((s) => s.id));
  const groups = [
    groupSummary(null, "base", ordered.filter((s) => s.extension === undefined), passed),
    ...challenge.extensions.map((e) => groupSummary(e.slug, e.name, ordered.filter((s) => s.extension === e.slug), passed)),
  ].filter((g) => g.selected.length > 0);
  const all = groupSummary(null, challenge.name, ordered, passed);
  return {
    challenge: challenge.slug,
    impl,
    selected: all.selected,
    passed: all.passed,
    firstFailing: all.firstFailing,
    score: all.selected.length === 0 ? 0 : Math.round((100 * all.passed.length) / all.selected.length),
    groups,
    cases: mine.map((r) => ({ stage: r.stage, case: r.case, ok: r.ok, durationMs: r.durationMs })),
  };
}

/** A Markdown table of the graded stages (for a GitHub step summary): one row per stage, in order. */
export function markdownSummary(summaries: ChallengeSummary[], stageName: (challenge: string, id: string) => string): string {
  const out: string[] = [];
  for (const s of summaries) {
    out.push(`### ${s.challenge}: ${s.passed.length}/${s.selected.length} stages passed`, "", `Program: \`${s.impl}\`${s.implFrom ? ` (${s.implFrom})` : ""}`, "", "| stage | | cases passed |", "|---|---|---|");
    for (const id of s.selected) {
      const cases = s.cases.filter((c) => c.stage === id);
      const ok = s.passed.includes(id);
      const ran = cases.length === 0 ? "not run" : `${cases.filter((c) => c.ok).length}/${cases.length}`;
      out.push(`| ${stageName(s.challenge, id)} | ${ok ? "✅ passed" : "❌ failed"} | ${ran} |`);
    }
    out.push("");
  }
  return `${out.join("\n")}\n`;
}
