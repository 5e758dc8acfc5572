/**
 * A raw TCP connection with both halves under the test's control (node:net,
 * allowHalfOpen): what nc does, plus a half-close (shutdown of the write side,
 * RFC 9293 §3.6) and a count of bytes as they arrive, for streaming checks.
 * Used both for public users dialling in and for connections a local service
 * accepted. Every wait is bounded; closed when the case ends.
 */
import net from "node:net";
import { StageFailure } from "../../../harness/report/failure.ts";
import { visible } from "../../../harness/report/show.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { caseEnded, never } from "../../../harness/stage/case-ended.ts";

export class StreamSocket {
  private chunks: Buffer[] = [];
  private size = 0;
  private waiters: (() => void)[] = [];
  /** The peer sent FIN (its write side is done). */
  ended = false;
  /** The socket is fully closed (or failed). */
  closed = false;
  /** When the first byte arrived (Date.now()), or 0. */
  firstByteAt = 0;

  constructor(
    private readonly t: CaseContext,
    readonly name: string,
    readonly sock: net.Socket,
  ) {
    sock.on("data", (d: Buffer) => {
      if (this.size === 0) this.firstByteAt = Date.now();
      this.chunks.push(d);
      this.size += d.length;
      this.wake();
    });
    sock.on("end", () => {
      this.ended = true;
      this.wake();
    });
    sock.on("close", () => {
      this.closed = true;
      this.ended = true;
      this.wake();
    });
    sock.on("error", () => {});
    t.defer(() => sock.destroy());
  }

  /** Connects to 127.0.0.1:port (bounded); the transcript shows it as an nc line. */
  static async connect(t: CaseContext, name: string, port: number, timeoutMs = 3000): Promise<StreamSocket> {
    t.log.command(`nc 127.0.0.1 ${port}    # ${name}`);
    const sock = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true });
    const s = new StreamSocket(t, name, sock);
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      sock.once("connect", () => (clearTimeout(timer), resolve(true)));
      sock.once("error", () => (clearTimeout(timer), resolve(false)));
    });
    if (!ok && caseEnded(t.signal)) return never();
    if (!ok) throw new StageFailure({ message: `${name}: could not connect to 127.0.0.1:${port}.`, hint: "The server should listen on every public port it was given, and accept every connection." });
    return s;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Bytes received so far. */
  get received(): number {
    return this.size;
  }

  bytes(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** Waits (bounded) until `ready()` holds; returns whether it did (false also when the peer ended first and it still does not hold). */
  async until(ready: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - Date.now();
      // The case is over (its cleanup destroyed the socket): a wait it never awaited must not fail the next case.
      if (caseEnded(this.t.signal)) return never();
      if (left <= 0 || this.closed || this.t.signal.aborted) return ready();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  /** Writes bytes, resolving when the kernel has taken them (so a stalled peer stalls the writer), bounded by the case. */
  async write(data: Buffer | string, log = true): Promise<void> {
    const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
    if (log) this.t.log.output(`> ${bytes.length > 300 ? `${visible(bytes.subarray(0, 200))}…    (${bytes.length} bytes)` : visible(bytes)}    (${this.name})`);
    if (caseEnded(this.t.signal)) return never();
    if (this.sock.destroyed) throw new StageFailure({ message: `${this.name}: the connection was closed while the test was still sending.` });
    await new Promise<void>((resolve) => {
      const onAbort = () => resolve();
      this.t.signal.addEventListener("abort", onAbort, { once: true });
      this.sock.write(bytes, () => {
        this.t.signal.removeEventListener("abort", onAbort);
        resolve();
      });
      if (this.t.signal.aborted) resolve();
    });
  }

  /** Adds a line about this connection to the transcript. */
  log(text: string): void {
    this.t.log.output(`${text}    (${this.name})`);
  }

  /** Half-closes: sends FIN, keeps reading. */
  end(): void {
    this.t.log.output(`(${this.name}: shutdown(SHUT_WR), still reading)`);
    this.sock.end();
  }

  destroy(): void {
    this.sock.destroy();
  }
}
