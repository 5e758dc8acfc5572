import { say } from "./say.ts";

/**
 * What a case did, as a learner would type and see it: `$ command` lines that
 * can be re-run as printed, each followed by what came back.
 */
export class Transcript {
  private lines: string[] = [];

  constructor(private readonly live: boolean) {}

  private add(line: string): void {
    this.lines.push(line);
    if (this.live) say(line);
  }

  /** A command the learner can copy and run. */
  command(cmd: string): void {
    this.add(`$ ${cmd}`);
  }

  /** What a command printed or a server replied, indented under it. */
  output(text: string): void {
    const body = text.replace(/\n$/, "");
    for (const line of (body === "" ? "(no output)" : body).split("\n")) this.add(`  ${line}`);
  }

  /** A remark from the harness, not something the learner would type. */
  note(text: string): void {
    this.add(`# ${text}`);
  }

  /** The last `max` lines. */
  tail(max = 40): string {
    const shown = this.lines.slice(-max);
    const omitted = this.lines.length - shown.length;
    return (omitted > 0 ? `  … (${omitted} earlier lines)\n` : "") + shown.join("\n");
  }

  get empty(): boolean {
    return this.lines.length === 0;
  }
}
