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
    for (const line of (body === "" ? "(no output)" : body).split("\n")) this.add(`  ${shorten(line)}`);
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

/** Lines of output longer than this are shown by their start and end (a report stays readable: 10,000 replies in one read would be 70 KB). */
export const MAX_OUTPUT_LINE = 1200;

function shorten(line: string): string {
  if (line.length <= MAX_OUTPUT_LINE) return line;
  const head = line.slice(0, 800);
  const tail = line.slice(-300);
  return `${head} … (${line.length - head.length - tail.length} more characters, ${line.length} in all) … ${tail}`;
}
