/**
 * A client speaking protocol version 2 to `git daemon` (git://) and to smart
 * HTTP servers (http://, a POST per command): pkt-lines, `ls-refs`, and
 * `fetch` with the pack on side-band 1.
 * https://git-scm.com/docs/gitprotocol-v2, https://git-scm.com/docs/gitprotocol-common,
 * https://git-scm.com/docs/gitprotocol-pack, https://git-scm.com/docs/gitprotocol-http
 */
import { createHash } from "node:crypto";
import { connect, type Socket } from "node:net";
import { GitError } from "./objects.ts";

export const FLUSH = "0000";
export const DELIM = "0001";

/** Wire-format switches a fixture may turn off (each on in the reference). */
export const wireSteps = {
  /** Whether a pkt-line's length counts its own 4 hex digits. */
  lengthCountsHeader: true,
  /** Whether the side-band byte is taken off each pack-data pkt-line. */
  stripSideBand: true,
};

/** One pkt-line: 4 hex digits of length (the 4 included), then the data. */
export function pkt(data: string | Uint8Array): Buffer {
  const body = typeof data === "string" ? Buffer.from(data) : Buffer.from(data);
  return Buffer.concat([Buffer.from((body.length + (wireSteps.lengthCountsHeader ? 4 : 0)).toString(16).padStart(4, "0")), body]);
}

type Packet = Buffer | "flush" | "delim" | "end";

/** Reads pkt-lines as bytes arrive (from a socket, or an HTTP response body). */
export class PktReader {
  private buf = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  private closed = false;
  private error: Error | undefined;

  /** A reader of a socket's bytes. */
  static of(socket: Socket): PktReader {
    const r = new PktReader();
    socket.on("data", (d: Buffer) => r.push(d));
    socket.on("end", () => r.end());
    socket.on("error", (e) => r.fail(e));
    return r;
  }

  /** A reader of bytes received whole. */
  static ofBytes(data: Uint8Array): PktReader {
    const r = new PktReader();
    r.push(Buffer.from(data));
    r.end();
    return r;
  }

  push(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    this.wake();
  }

  end(): void {
    this.closed = true;
    this.wake();
  }

  fail(e: Error): void {
    this.error = e;
    this.wake();
  }

  /** A raw pack after the pkt-lines: the bytes up to a PACK whose trailing SHA-1 matches (waits for more until then). */
  async pack(): Promise<Buffer> {
    for (;;) {
      if (this.buf.length >= 32 && this.buf.toString("latin1", 0, 4) === "PACK") {
        const end = this.buf.length - 20;
        if (createHash("sha1").update(this.buf.subarray(0, end)).digest().equals(this.buf.subarray(end))) {
          const out = this.buf;
          this.buf = Buffer.alloc(0);
          return out;
        }
      }
      if (this.error) throw new GitError(`connection error: ${this.error.message}`);
      if (this.closed) throw new GitError("the remote end hung up before the whole pack arrived");
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
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

/** How protocol v2 commands reach the server: one connection (git://), or one HTTP request per command. */
interface Transport {
  /** Sends a whole request; returns where its answer is read from. */
  send(request: Buffer): Promise<PktReader>;
  close(): void;
}

/** git://host[:port]/path: the initial `git-upload-pack` pkt-line, then every command on the same connection. */
async function gitTransport(url: string, service: string, extra: string): Promise<{ transport: Transport; reader: PktReader; socket: Socket }> {
  const m = /^git:\/\/([^/:]+)(?::(\d+))?(\/.*)$/.exec(url);
  if (!m) throw new GitError(`unsupported URL ${url} (only git://host[:port]/path and http://host[:port]/path)`);
  const [host, port, path] = [m[1]!, Number(m[2] ?? 9418), m[3]!];
  const socket = connect({ host, port });
  const reader = PktReader.of(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", (e) => reject(new GitError(`unable to connect to ${host}:${port}: ${e.message}`)));
  });
  socket.write(pkt(`${service} ${path}\0host=${host}${m[2] ? `:${port}` : ""}\0${extra}`));
  const transport: Transport = {
    send: async (request) => {
      socket.write(request);
      return reader;
    },
    close: () => {
      socket.end();
      socket.destroy();
    },
  };
  return { transport, reader, socket };
}

/** An HTTP response's body, or a failure naming the status. */
async function httpBody(res: Response, what: string): Promise<Buffer> {
  if (res.status !== 200) throw new GitError(`unable to access '${what}': The requested URL returned error: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** How requests are made over HTTP (a fixture replaces it). */
export const httpSteps = {
  /** Whether the POSTs carry `Git-Protocol: version=2` too (they must: each request is on its own). */
  versionOnPosts: true,
  /** Whether the GET of info/refs carries `Git-Protocol: version=2`. */
  versionOnGet: true,
  /** The Content-Type of the POSTs. */
  postType: (service: string): string => `application/x-${service}-request`,
};

/** Smart HTTP (gitprotocol-http): GET <url>/info/refs?service=…, then a POST to <url>/<service> for each request. */
async function httpTransport(url: string, service: string, version2: boolean): Promise<{ transport: Transport; reader: PktReader }> {
  const base = url.replace(/\/+$/, "");
  const protocol: Record<string, string> = version2 ? { "Git-Protocol": "version=2" } : {};
  const refsUrl = `${base}/info/refs?service=${service}`;
  let res: Response;
  try {
    res = await fetch(refsUrl, { headers: { ...(httpSteps.versionOnGet ? protocol : {}), "Cache-Control": "no-cache" } });
  } catch (e) {
    throw new GitError(`unable to access '${url}/': ${(e as Error).message}`);
  }
  const type = res.headers.get("content-type") ?? "";
  const reader = PktReader.ofBytes(await httpBody(res, `${url}/`));
  if (type !== `application/x-${service}-advertisement`) throw new GitError(`${refsUrl} not valid: is this a git repository? (Content-Type ${type || "missing"}: the server does not speak smart HTTP)`);
  const transport: Transport = {
    send: async (request) => {
      const post = await fetch(`${base}/${service}`, {
        method: "POST",
        headers: { ...(httpSteps.versionOnPosts ? protocol : {}), "Content-Type": httpSteps.postType(service), Accept: `application/x-${service}-result` },
        body: request,
      });
      return PktReader.ofBytes(await httpBody(post, `${url}/`));
    },
    close: () => {},
  };
  return { transport, reader };
}

export function isHttp(url: string): boolean {
  return /^https?:\/\//.test(url);
}

/** A protocol v2 session for one repository (git:// or smart HTTP). */
export class Session {
  private constructor(private readonly transport: Transport) {}

  /** Connects to git://host[:port]/path or http://host[:port]/path and reads the capability advertisement. */
  static async open(url: string): Promise<Session> {
    const { transport, reader } = isHttp(url) ? await httpTransport(url, "git-upload-pack", true) : await gitTransport(url, "git-upload-pack", "\0version=2\0");
    const caps = await reader.section();
    if (caps[0]?.startsWith("# service=")) caps.splice(0, 1, ...(await reader.section()));
    if (caps[0] !== "version 2") {
      transport.close();
      throw new GitError(`the server does not speak protocol version 2 (it said ${JSON.stringify(caps[0] ?? "")})`);
    }
    return new Session(transport);
  }

  private command(name: string, args: string[]): Promise<PktReader> {
    return this.transport.send(Buffer.concat([pkt(`command=${name}\n`), pkt("agent=syscraft/1\n"), Buffer.from(DELIM), ...args.map((a) => pkt(`${a}\n`)), Buffer.from(FLUSH)]));
  }

  /** HEAD, branches and tags, with HEAD's target. */
  async lsRefs(): Promise<RemoteRef[]> {
    const reader = await this.command("ls-refs", ["symrefs", "peel", "ref-prefix HEAD", "ref-prefix refs/heads/", "ref-prefix refs/tags/"]);
    return (await reader.section()).map((line) => {
      const [oid, name, ...attrs] = line.split(" ");
      const symref = attrs.find((a) => a.startsWith("symref-target:"))?.slice("symref-target:".length);
      return { oid: oid!, name: name!, symref };
    });
  }

  /** Asks for `wants` (telling what we have), and returns the pack the server sends on side-band 1. */
  async fetch(wants: string[], haves: string[]): Promise<Buffer> {
    const reader = await this.command("fetch", ["ofs-delta", "no-progress", ...wants.map((w) => `want ${w}`), ...haves.map((h) => `have ${h}`), "done"]);
    const chunks: Buffer[] = [];
    let inPack = false;
    for (;;) {
      const p = await reader.next();
      if (p === "flush" || p === "end") break;
      if (p === "delim") continue;
      if (!inPack) {
        const line = p.toString("utf8").replace(/\n$/, "");
        if (line === "packfile") inPack = true;
        else if (line.startsWith("ERR ")) throw new GitError(`remote error: ${line.slice(4)}`);
        continue;
      }
      if (p[0] === 1) chunks.push(wireSteps.stripSideBand ? p.subarray(1) : p);
      else if (p[0] === 3) throw new GitError(`remote error: ${p.subarray(1).toString("utf8").trim()}`);
    }
    return Buffer.concat(chunks);
  }

  close(): void {
    this.transport.close();
  }
}

/** One ref update a push asks for: `<old> <new> <ref>`. */
export interface RefUpdate {
  ref: string;
  old: string;
  new: string;
}

/** What receive-pack reported: `unpack ok` or its error, then `ok <ref>` or `ng <ref> <reason>` per ref. */
export interface PushReport {
  unpack: string;
  refs: Map<string, { ok: boolean; reason?: string }>;
}

export const ZERO_ID = "0".repeat(40);

/**
 * A push session with `git-receive-pack` (protocol version 0: receive-pack
 * has no version 2): its ref advertisement, then the update commands and
 * the pack in one request, answered by report-status.
 * https://git-scm.com/docs/gitprotocol-pack#_pushing_data_to_a_server
 */
export class ReceiveSession {
  private constructor(
    private readonly transport: Transport,
    /** The server's refs, by name. */
    readonly refs: Map<string, string>,
    readonly capabilities: string[],
  ) {}

  static async open(url: string): Promise<ReceiveSession> {
    const { transport, reader } = isHttp(url) ? await httpTransport(url, "git-receive-pack", false) : await gitTransport(url, "git-receive-pack", "");
    let lines = await reader.section();
    if (lines[0]?.startsWith("# service=")) lines = await reader.section();
    const refs = new Map<string, string>();
    let capabilities: string[] = [];
    for (const [i, line] of lines.entries()) {
      if (line.startsWith("ERR ")) throw new GitError(`remote error: ${line.slice(4)}`);
      const [main, caps] = line.split("\0");
      if (i === 0 && caps !== undefined) capabilities = caps.split(" ").filter(Boolean);
      const [oid, name] = main!.split(" ");
      if (name && name !== "capabilities^{}") refs.set(name, oid!);
    }
    return new ReceiveSession(transport, refs, capabilities);
  }

  /** Sends the commands (capabilities on the first) and the pack; reads the report. */
  async push(updates: RefUpdate[], pack: Buffer | undefined): Promise<PushReport> {
    const want = ["report-status", "ofs-delta"].filter((c) => this.capabilities.includes(c));
    const lines = updates.map((u, i) => pkt(`${u.old} ${u.new} ${u.ref}${i === 0 ? `\0${[...want, "agent=syscraft/1"].join(" ")}` : ""}\n`));
    const reader = await this.transport.send(Buffer.concat([...lines, Buffer.from(FLUSH), ...(pack ? [pack] : [])]));
    const report: PushReport = { unpack: "ok", refs: new Map() };
    if (!want.includes("report-status")) return report;
    for (const line of await reader.section()) {
      if (line.startsWith("unpack ")) report.unpack = line.slice("unpack ".length);
      else if (line.startsWith("ok ")) report.refs.set(line.slice(3), { ok: true });
      else if (line.startsWith("ng ")) {
        const [ref, ...why] = line.slice(3).split(" ");
        report.refs.set(ref!, { ok: false, reason: why.join(" ") });
      }
    }
    return report;
  }

  close(): void {
    this.transport.close();
  }
}
