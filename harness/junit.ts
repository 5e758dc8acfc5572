import { paddedId } from "./challenge/stages.ts";
import type { CaseResult } from "./stage/types.ts";

function esc(s: string): string {
  return s
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** The program a challenge was graded with, recorded in each of its suites' <properties>. */
export interface GradedProgram {
  challenge: string;
  impl: string;
  implFrom: string;
}

/**
 * JUnit XML: one <testsuite> per stage (named by its full id, e.g. "redis/lists/2 blocking-pops"), one <testcase> per case,
 * the failure report as the failure's text; each suite's properties say which program ran (impl) and where it came from (impl.from).
 */
export function junitXml(results: CaseResult[], programs: GradedProgram[] = []): string {
  const suites = new Map<string, CaseResult[]>();
  for (const r of results) {
    const name = `${r.challenge}/${r.stage} ${r.stageSlug}`;
    suites.set(name, [...(suites.get(name) ?? []), r]);
  }
  const total = results.length;
  const failures = results.filter((r) => !r.ok).length;
  const secs = (ms: number) => (ms / 1000).toFixed(3);
  const lines = [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="syscraft" tests="${total}" failures="${failures}" time="${secs(results.reduce((a, r) => a + r.durationMs, 0))}">`];
  for (const [name, rs] of suites) {
    const f = rs.filter((r) => !r.ok).length;
    lines.push(`  <testsuite name="${esc(name)}" tests="${rs.length}" failures="${f}" time="${secs(rs.reduce((a, r) => a + r.durationMs, 0))}">`);
    const program = programs.find((p) => p.challenge === rs[0]!.challenge);
    const impl = program?.impl ?? rs[0]!.impl;
    lines.push(`    <properties>`, `      <property name="impl" value="${esc(impl)}"/>`);
    if (program) lines.push(`      <property name="impl.from" value="${esc(program.implFrom)}"/>`);
    lines.push(`    </properties>`);
    for (const r of rs) {
      const attrs = `classname="${esc(`${r.challenge}.${paddedId(r.stage).replaceAll("/", ".")}-${r.stageSlug}`)}" name="${esc(r.case)}" time="${secs(r.durationMs)}"`;
      if (r.ok) lines.push(`    <testcase ${attrs}/>`);
      else {
        const first = r.message.split("\n").find((l) => l.trim() !== "" && !l.startsWith("✗")) ?? "failed";
        lines.push(`    <testcase ${attrs}>`, `      <failure message="${esc(first.trim())}">${esc(r.message)}</failure>`, `    </testcase>`);
      }
    }
    lines.push("  </testsuite>");
  }
  lines.push("</testsuites>", "");
  return lines.join("\n");
}
