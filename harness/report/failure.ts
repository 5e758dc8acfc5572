import { diffLines } from "diff";
import { visible } from "./show.ts";

export interface FailureDetails {
  /** What went wrong, in one sentence. */
  message: string;
  expected?: string;
  received?: string;
  /** What the learner should probably fix. */
  hint?: string;
  /** Extra text shown as is (e.g. a caret under a bad byte). */
  detail?: string;
}

/** A failed check in a stage: carries what the learner needs to fix it. */
export class StageFailure extends Error {
  readonly details: FailureDetails;

  constructor(details: FailureDetails) {
    super(details.message);
    this.name = "StageFailure";
    this.details = details;
  }
}

/** Expected vs received: side by side for one line, a line diff for more. */
export function renderDiff(expected: string, received: string): string {
  // When only whitespace or control bytes differ, show both escaped on one line each: \r\n becomes visible.
  const subtle = expected.trim() === received.trim() || /[\x00-\x08\x0b-\x1f\x7f]/.test(expected + received);
  if (subtle) return `  expected: ${visible(expected)}\n  received: ${visible(received)}`;
  if (!expected.includes("\n") && !received.includes("\n")) return `  expected: ${expected}\n  received: ${received}`;
  const lines: string[] = ["  (- expected, + received)"];
  const withNl = (s: string) => (s.endsWith("\n") ? s : `${s}\n`);
  for (const part of diffLines(withNl(expected), withNl(received))) {
    const mark = part.added ? "+" : part.removed ? "-" : " ";
    for (const line of part.value.replace(/\n$/, "").split("\n")) lines.push(`  ${mark} ${line}`);
  }
  return lines.join("\n");
}

export interface FailureReport {
  title: string;
  error: unknown;
  transcript?: string;
  programOutput?: string;
  /** Set when the program under test exited during the case: said first, before the symptom the client saw. */
  exited?: string;
  seed: string;
  rerun: string;
}

/** The message a learner reads when a case fails. */
export function formatFailure(r: FailureReport): string {
  const parts: string[] = [];
  const d: FailureDetails =
    r.error instanceof StageFailure ? r.error.details : { message: `the test itself failed: ${r.error instanceof Error ? (r.error.stack ?? r.error.message) : String(r.error)}` };
  const exited = r.exited !== undefined && !d.message.startsWith("Your program exited") ? `  ${r.exited}\n` : "";
  parts.push(`✗ ${r.title}\n${exited}  ${d.message.split("\n").join("\n  ")}`);
  if (d.expected !== undefined && d.received !== undefined) parts.push(renderDiff(d.expected, d.received));
  if (d.detail) parts.push(d.detail.replace(/^/gm, "  "));
  if (d.hint) parts.push(`Hint: ${d.hint}`);
  if (r.transcript) parts.push(`What the test did (you can run the $ lines yourself; for a server, while it runs):\n${r.transcript}`);
  if (r.programOutput !== undefined) parts.push(`Your program's output (last lines):\n${r.programOutput === "" ? "  (nothing)" : r.programOutput.replace(/^/gm, "  | ")}`);
  parts.push(`Seed ${r.seed}. Replay this run: ${r.rerun}`);
  return parts.join("\n\n");
}
