import { writeSync } from "node:fs";

/**
 * Marks the harness's own lines in the output of an inner stage run (see
 * harness/stage/stage-run.ts): the outer run prints them as they are and
 * drops bun's noise around them.
 */
export const HARNESS_LINE = "\x02";

/** Prints text for the learner (on stderr, where bun prints test results), whole lines at a time. */
export function say(text: string): void {
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  const out = process.env.SYSCRAFT_INNER ? `${body.split("\n").map((l) => HARNESS_LINE + l).join("\n")}\n` : `${body}\n`;
  const buf = Buffer.from(out);
  let written = 0;
  while (written < buf.length) {
    try {
      written += writeSync(2, buf, written);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") return;
    }
  }
}
