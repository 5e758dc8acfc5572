import type { Socket } from "bun";
import { StageFailure } from "../report/failure.ts";
import { visible } from "../report/show.ts";
import type { Transcript } from "../report/transcript.ts";

export interface TcpOptions {
  host: string;
  port: number;
  log: Transcript;
  /** Name shown in the transcript, e.g. "client 2". */
  name: string;
  connectTimeoutMs?: number;
  /** Do not log the raw bytes sent and received (the owner logs them its own way, e.g. as HTTP/2 frames). */
  quiet?: boolean;
}

/**
 * A raw TCP connection for byte-exact protocol checks: what nc would do, with
 * every byte sent and received logged escaped (\r\n), and every wait bounded.
 */
/** How long a send waits for the peer to take more bytes before giving up (every wait is bounded). */
const SEND_STALL_MS = 5000;

export class TcpConnection {
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private ended = false;
  private socket!: Socket<undefined>;

  private constructor(private readonly o: TcpOptions) {}

  static async open(o: TcpOptions): Promise<TcpConnection> {
    const conn = new TcpConnection(o);
    o.log.command(`nc -C ${o.host} ${o.port}    # ${o.name}: bytes sent (>) and received (<) below`);
    const ms = o.connectTimeoutMs ?? 3000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      conn.socket = await Promise.race([
        Bun.connect({
          hostname: o.host,
          port: o.port,
          socket: {
            data: (_s, chunk) => conn.onData(chunk),
            close: () => conn.onEnd(),
            end: () => conn.onEnd(),
            error: () => conn.onEnd(),
          },
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("timeout")), ms);
        }),
      ]);
    } catch (e) {
      throw new StageFailure({
        message: `Could not open a TCP connection to ${o.host}:${o.port} (${(e as Error).message}).`,
        hint: "Is your program still accepting connections? A server must keep calling accept() for every new client.",
      });
    } finally {
      clearTimeout(timer);
    }
    return conn;
  }

  /**
   * Wraps a connection a TcpListener accepted. The listener routes the
   * socket's events to onData/onEnd.
   */
  static accepted(o: TcpOptions, socket: Socket<undefined>): TcpConnection {
    const conn = new TcpConnection(o);
    conn.socket = socket;
    o.log.output(`(${o.name}: connection accepted from ${socket.remoteAddress})`);
    return conn;
  }

  /** When bytes last arrived (Date.now()), for checks on when a reply came. */
  lastDataAt = 0;

  /** @internal Bytes arrived (called by the socket handlers). */
  onData(chunk: Uint8Array): void {
    this.lastDataAt = Date.now();
    this.buffer = Buffer.concat([this.buffer, chunk]);
    this.wake();
  }

  /** @internal The peer closed (called by the socket handlers). */
  onEnd(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  get name(): string {
    return this.o.name;
  }

  /** True once the other side closed the connection. */
  get closed(): boolean {
    return this.ended;
  }

  /** Bytes received and not yet consumed. */
  get pending(): Buffer {
    return this.buffer;
  }

  /** Sends bytes (all at once, or in the pieces given, with a short pause between them). */
  async send(data: string | Uint8Array | (string | Uint8Array)[], pauseMs = 30): Promise<void> {
    const pieces = Array.isArray(data) ? data : [data];
    for (let i = 0; i < pieces.length; i++) {
      const bytes = typeof pieces[i] === "string" ? Buffer.from(pieces[i] as string, "latin1") : Buffer.from(pieces[i] as Uint8Array);
      // A long send (kilobytes of padding) shows its start and end, with its size.
      const shown = bytes.length > 2000 ? `${visible(bytes.subarray(0, 1000))}…${visible(bytes.subarray(-200))}    (${bytes.length} bytes)` : visible(bytes);
      if (!this.o.quiet) this.o.log.output(`> ${shown}${pieces.length > 1 ? `    (piece ${i + 1} of ${pieces.length})` : ""}`);
      let off = 0;
      let progressAt = Date.now();
      while (off < bytes.length) {
        if (this.ended) throw new StageFailure({ message: `${this.o.name}: your program closed the connection while the test was still sending.` });
        const n = this.socket.write(bytes.subarray(off));
        off += n;
        if (n > 0) progressAt = Date.now();
        else if (Date.now() - progressAt > SEND_STALL_MS) throw new StageFailure({ message: `${this.o.name}: your program stopped reading: ${bytes.length - off} bytes were still to send and it took none for ${SEND_STALL_MS / 1000} s (nor closed the connection).` });
        else await Bun.sleep(1);
      }
      this.socket.flush();
      if (i < pieces.length - 1) await Bun.sleep(pauseMs);
    }
  }

  /** Waits (bounded) until `ready(buffer)` holds or the connection ends; returns whether it held. */
  async waitFor(ready: (buf: Buffer) => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!ready(this.buffer)) {
      if (this.ended) return ready(this.buffer);
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return true;
  }

  /** Removes and returns the first `n` received bytes. */
  take(n: number): Buffer {
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    if (!this.o.quiet) this.o.log.output(`< ${visible(out)}`);
    return Buffer.from(out);
  }

  /** Stops reading from the socket, so the peer sees TCP backpressure (its writes fill the kernel's buffers), until resume(). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    try {
      this.socket?.end();
    } catch {
      // already closed
    }
    this.ended = true;
  }
}
