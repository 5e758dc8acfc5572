/** Captures a process's output up to a cap, keeping the tail when it overflows. */
export class CappedOutput {
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = 0;

  constructor(private readonly cap = 256 * 1024) {}

  push(chunk: Uint8Array): void {
    const buf = Buffer.from(chunk);
    this.chunks.push(buf);
    this.size += buf.length;
    while (this.size > this.cap && this.chunks.length > 1) {
      const first = this.chunks.shift()!;
      this.size -= first.length;
      this.dropped += first.length;
    }
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }

  /** The captured bytes as they came (for binary output). */
  bytes(): Uint8Array {
    return Buffer.concat(this.chunks);
  }

  /** The last `lines` lines, with a note when earlier output was dropped. */
  tail(lines = 20): string {
    const all = this.text().replace(/\s+$/, "");
    if (all === "") return "";
    const split = all.split("\n");
    const shown = split.slice(-lines);
    const omitted = split.length - shown.length;
    const note = omitted > 0 || this.dropped > 0 ? `… (${omitted} earlier lines${this.dropped > 0 ? ` and ${this.dropped} bytes` : ""} not shown)\n` : "";
    return note + shown.join("\n");
  }
}

/** Reads a stream into each of `outs` until it ends. Never throws. */
export async function drain(stream: ReadableStream<Uint8Array> | null | undefined, ...outs: CappedOutput[]): Promise<void> {
  if (!stream) return;
  try {
    for await (const chunk of stream) for (const out of outs) out.push(chunk);
  } catch {
    // the process went away
  }
}
