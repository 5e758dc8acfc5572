import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { absolutize } from "../../../harness/impl.ts";
import { GroupProcess } from "../../../harness/process/spawn.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { printable, programArgv } from "../../../harness/stage/program.ts";
import { parseLine, type Message } from "./message.ts";

export interface NodeEvents {
  message(from: NodeProcess, m: Message): void;
  /** A line that is not a message, or the process exiting: `what` says it, `line` is the line as printed. */
  problem(from: NodeProcess, what: string, line?: string): void;
}

/**
 * One node: the learner's command run with no arguments, in a directory of its own
 * under the case's, contained and stopped when the case ends. Its stdin and stdout
 * carry one JSON message per line; stderr is its log.
 */
export class NodeProcess {
  readonly process: GroupProcess;
  private pending = "";
  private readonly decoder = new TextDecoder();
  private stopping = false;

  constructor(t: CaseContext, readonly id: string, private readonly events: NodeEvents) {
    const dir = join(t.dir, id);
    mkdirSync(dir, { recursive: true });
    t.log.command(`${printable(t.impl.command, [])} &   # node ${id}`);
    this.process = new GroupProcess(programArgv(absolutize(t.impl.command, t.impl.base), []), { cwd: dir, contain: true, pipeStdin: true, onStdout: (c) => this.feed(c) });
    t.defer(() => this.stop());
    void this.process.exited.then((code) => {
      if (!this.stopping) events.problem(this, `exited with code ${code}`);
    });
  }

  private feed(chunk: Uint8Array): void {
    this.pending += this.decoder.decode(chunk, { stream: true });
    for (let nl = this.pending.indexOf("\n"); nl >= 0; nl = this.pending.indexOf("\n")) {
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      if (line.trim() === "") continue;
      const parsed = parseLine(line);
      if ("problem" in parsed) this.events.problem(this, `printed a line on stdout that ${parsed.problem}`, line);
      else this.events.message(this, parsed.message);
    }
  }

  /** Writes one message as one line on the node's stdin. */
  write(m: Message): void {
    try {
      this.process.stdin!.write(JSON.stringify(m) + "\n");
      void this.process.stdin!.flush();
    } catch {
      // it exited: reported by the exit watcher
    }
  }

  /** Its output (stderr is its log; stdout lines are messages). */
  log(lines = 15): string {
    return this.process.output.tail(lines);
  }

  /** kill -9 of its process group: it gets no chance to write anything more (its directory is kept). */
  async kill(): Promise<void> {
    this.stopping = true;
    try {
      process.kill(-this.process.pid, "SIGKILL");
    } catch {
      // already gone
    }
    await this.process.stop(0);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    try {
      this.process.stdin?.end();
    } catch {
      // already closed
    }
    await this.process.stop(300);
  }
}
