import { HARNESS_LINE } from "./say.ts";

/**
 * Filters the output of an inner `bun test` stage run down to what a learner
 * needs: the harness's own lines (marked with HARNESS_LINE) as they are, and
 * anything of bun's that is not known noise. Noise: bun's banner, file
 * headers, blank lines, (pass)/(skip) lines, bun's pass/fail counts, and the
 * source excerpt and stack bun prints under a case whose report the harness
 * already printed ("… (report above)"). Anything else bun prints (an error
 * outside a case, a case bun timed out) is kept, with its stack.
 */
export class BunOutputFilter {
  private block: string[] = [];
  private lastBlockWasReport = false;

  /** The lines to show for one line of output (without its "\n"). */
  push(line: string): string[] {
    if (line.startsWith(HARNESS_LINE)) return [...this.flush(), line.slice(HARNESS_LINE.length)];
    const inBlock = this.block.length > 0;
    if (/^\s*\d+ \| /.test(line) || /^\s*\^[~^\s]*$/.test(line) || (inBlock && (/^\s+at /.test(line) || /^error: /.test(line))) || /^error: .*\(report above\)$/.test(line)) {
      this.block.push(line);
      return [];
    }
    const out = this.flush();
    if (/^\(fail\) /.test(line)) {
      if (!this.lastBlockWasReport) out.push(line);
      this.lastBlockWasReport = false;
      return out;
    }
    if (line.trim() === "" || /^bun test v\d/.test(line) || /^\S.*\.test\.[cm]?[jt]sx?:$/.test(line) || /^\((pass|skip|todo)\) /.test(line)) return out;
    if (/^\s*\d+ (pass|fail|skip|todo|filtered out|snapshots?.*)$/.test(line) || /^\s*\d+ expect\(\) calls?$/.test(line) || /^Ran \d+ tests? across \d+ files?\./.test(line)) return out;
    out.push(line);
    return out;
  }

  /** What is left at the end of the output. */
  end(): string[] {
    return this.flush();
  }

  private flush(): string[] {
    if (this.block.length === 0) return [];
    const block = this.block;
    this.block = [];
    this.lastBlockWasReport = block.some((l) => /^error: .*\(report above\)$/.test(l));
    return this.lastBlockWasReport ? [] : block;
  }
}
