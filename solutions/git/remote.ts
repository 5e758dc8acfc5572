/**
 * A git:// client speaking protocol version 2 to `git daemon`: pkt-lines,
 * `ls-refs`, and `fetch` with the pack on side-band 1.
 * https://git-scm.com/docs/gitprotocol-v2, https://git-scm.com/docs/gitprotocol-common,
 * https://git-scm.com/docs/gitprotocol-pack
 */
import { connect, type Socket } from "node:net";
import { GitError } from "./objects.ts";

export const FLUSH = "0000";
export const DELIM = "0001";

/** One pkt-line: 4 hex digits of length (the 4 included), then the data. */
export function pkt(data: string | Uint8Array): Buffer {
  const body = typeof data === "string" ? Buffer.from(data) : Buffer.from(data);
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, "0")), body]);
}

type Packet = Buffer | "flush" | "delim" | "end";

/** Reads pkt-lines from a socket as they arrive. */
class PktReader {
  private buf = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  private closed = false;
  private error: Error | undefined;

  constructor(socket: Socket) {
    socket.on("data", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on("end", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", (e) => {
      this.error = e;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  private async need(n: number): Promise<void> {
    while (this.buf.length < n) {
      if (this.error) throw new GitError(`connection error: ${this.error.message}`);
      if (this.closed) throw new GitError("the remote end hung up unexpectedly");
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  async next(): Promise<Packet> {
    await this.need(4);
    const len = parseInt(this.buf.toString("latin1", 0, 4), 16);
    if (Number.isNaN(len)) throw new GitError(`protocol error: bad line length ${JSON.stringify(this.buf.toString("latin1", 0, 4))}`);
    if (len < 4) {
      this.buf = this.buf.subarray(4);
      return len === 0 ? "flush" : len === 1 ? "delim" : "end";
    }
    await this.need(len);
    const data = this.buf.subarray(4, len);
    this.buf = this.buf.subarray(len);
    return data;
  }

  /** Lines up to a flush (text, newline removed). */
  async section(): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const p = await this.next();
      if (p === "flush" || p === "end") return out;
      if (p === "delim") continue;
      out.push(p.toString("utf8").replace(/\n$/, ""));
    }
  }
}

export interface RemoteRef {
  name: string;
  oid: string;
  /** For HEAD: the branch it names. */
  symref?: string;
}

/** A protocol v2 session with `git daemon` for one repository. */
export class Session {
  private constructor(
    private readonly socket: Socket,
    private readonly reader: PktReader,
  ) {}

  /** Connects to git://host[:port]/path and reads the capability advertisement. */
  static async open(url: string): Promise<Session> {
    const m = /^git:\/\/([^/:]+)(?::(\d+))?(\/.*)$/.exec(url);
    if (!m) throw new GitError(`unsupported URL ${url} (only git://host[:port]/path)`);
    const [host, port, path] = [m[1]!, Number(m[2] ?? 9418), m[3]!];
    const socket = connect({ host, port });
    const reader = new PktReader(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", (e) => reject(new GitError(`unable to connect to ${host}:${port}: ${e.message}`)));
    });
    socket.write(pkt(`git-upload-pack ${path}\0host=${host}${m[2] ? `:${port}` : ""}\0\0version=2\0`));
    const caps = await reader.section();
    if (caps[0] !== "version 2") throw new GitError(`the server does not speak protocol version 2 (it said ${JSON.stringify(caps[0] ?? "")})`);
    return new Session(socket, reader);
  }

  private command(name: string, args: string[]): void {
    this.socket.write(Buffer.concat([pkt(`command=${name}\n`), pkt("agent=syscraft/1\n"), Buffer.from(DELIM), ...args.map((a) => pkt(`${a}\n`)), Buffer.from(FLUSH)]));
  }

  /** HEAD, branches and tags, with HEAD's target. */
  async lsRefs(): Promise<RemoteRef[]> {
    this.command("ls-refs", ["symrefs", "peel", "ref-prefix HEAD", "ref-prefix refs/heads/", "ref-prefix refs/tags/"]);
    return (await this.reader.section()).map((line) => {
      const [oid, name, ...attrs] = line.split(" ");
      const symref = attrs.find((a) => a.startsWith("symref-target:"))?.slice("symref-target:".length);
      return { oid: oid!, name: name!, symref };
    });
  }

  /** Asks for `wants` (telling what we have), and returns the pack the server sends on side-band 1. */
  async fetch(wants: string[], haves: string[]): Promise<Buffer> {
    this.command("fetch", ["ofs-delta", "no-progress", ...wants.map((w) => `want ${w}`), ...haves.map((h) => `have ${h}`), "done"]);
    const chunks: Buffer[] = [];
    let inPack = false;
    for (;;) {
      const p = await this.reader.next();
      if (p === "flush" || p === "end") break;
      if (p === "delim") continue;
      if (!inPack) {
        const line = p.toString("utf8").replace(/\n$/, "");
        if (line === "packfile") inPack = true;
        else if (line.startsWith("ERR ")) throw new GitError(`remote error: ${line.slice(4)}`);
        continue;
      }
      if (p[0] === 1) chunks.push(p.subarray(1));
      else if (p[0] === 3) throw new GitError(`remote error: ${p.subarray(1).toString("utf8").trim()}`);
    }
    return Buffer.concat(chunks);
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }
}
