// The replica side of replication
// (https://redis.io/docs/latest/operate/oss_and_stack/management/replication/#how-redis-replication-works).
//
// REPLICAOF host port (or --replicaof "host port") connects to the master
// and performs the handshake as redis-server 7.0 does:
//   PING                                   -> +PONG
//   REPLCONF listening-port <our port>     -> +OK
//   REPLCONF capa eof capa psync2          -> +OK
//   PSYNC ? -1                             -> +FULLRESYNC <replid> <offset>
// then receives the snapshot, either "$<len>\r\n<len bytes>" or, from a
// diskless master, "$EOF:<40-byte mark>\r\n<bytes><mark>" (newlines may come
// first as keep-alives), replaces its data with it, and applies the
// command stream that follows without replying — except to
// REPLCONF GETACK, answered with REPLCONF ACK <offset>, where the offset
// counts the stream bytes processed before the GETACK. It also sends
// REPLCONF ACK every second. If the link drops it reconnects after a second.

import type { Socket } from "bun";
import { ClientState } from "../client.ts";
import { executeCommand } from "../commands/index.ts";
import { loadRdb } from "../persistence/rdb.ts";
import { RequestParser } from "../resp.ts";
import type { ServerState } from "../state.ts";
import { asciiLower } from "../text.ts";
import { encodeStreamCommand } from "./master.ts";
import type { MasterInfo } from "./state.ts";

const RECONNECT_MS = 1000;
const ACK_PERIOD_MS = 1000;
const EOF_MARK_LEN = 40;

type Phase =
  | { kind: "reply"; expect: string; then: () => void }
  | { kind: "fullresync" }
  | { kind: "payload-header" }
  | { kind: "payload"; length: number }
  | { kind: "payload-eof"; mark: Buffer }
  | { kind: "stream" };

export class MasterLink implements MasterInfo {
  state: MasterInfo["state"] = "connect";
  offset = 0;
  lastIoAt = Date.now();
  private socket: Socket<undefined> | null = null;
  private buf = Buffer.alloc(0);
  private phase: Phase = { kind: "fullresync" };
  private parser = new RequestParser();
  /** Stream bytes consumed towards the command not yet complete. */
  private partial = 0;
  private readonly client = new ClientState("master");
  private closed = false;
  private ackTimer: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    protected readonly server: ServerState,
    readonly host: string,
    readonly port: number,
  ) {
    this.client.isMaster = true;
    void this.connect();
  }

  private log(message: string): void {
    process.stdout.write(`replication: ${message}\n`);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    this.state = "connect";
    this.buf = Buffer.alloc(0);
    this.parser = new RequestParser();
    this.partial = 0;
    try {
      this.socket = await Bun.connect<undefined>({
        hostname: this.host,
        port: this.port,
        socket: {
          binaryType: "buffer",
          data: (_s, chunk) => this.onData(chunk),
          close: () => this.onDown("connection closed"),
          error: (_s, err) => this.onDown(String(err)),
        },
      });
    } catch (err) {
      this.onDown(`cannot connect: ${(err as Error).message}`);
      return;
    }
    if (this.closed) {
      this.socket.end();
      return;
    }
    this.log(`connected to master ${this.host}:${this.port}`);
    this.state = "handshake";
    this.handshake();
  }

  protected send(argv: string[]): void {
    this.socket?.write(encodeStreamCommand(argv));
  }

  /** The commands sent before PSYNC, each with the reply it must get. */
  protected handshakeSteps(): Array<{ argv: string[]; expect: string }> {
    return [
      { argv: ["PING"], expect: "+PONG" },
      { argv: ["REPLCONF", "listening-port", String(this.server.config.port)], expect: "+OK" },
      { argv: ["REPLCONF", "capa", "eof", "capa", "psync2"], expect: "+OK" },
    ];
  }

  private handshake(): void {
    const steps = this.handshakeSteps();
    const next = (i: number): void => {
      const step = steps[i];
      if (step === undefined) {
        this.send(["PSYNC", "?", "-1"]);
        this.phase = { kind: "fullresync" };
        return;
      }
      this.send(step.argv);
      this.phase = { kind: "reply", expect: step.expect, then: () => next(i + 1) };
    };
    next(0);
  }

  /** Takes one CRLF-terminated line from the buffer, skipping keep-alive newlines. */
  private line(): string | null {
    while (this.buf.length > 0 && this.buf[0] === 0x0a) this.buf = this.buf.subarray(1);
    const end = this.buf.indexOf("\r\n");
    if (end < 0) return null;
    const text = this.buf.subarray(0, end).toString("latin1");
    this.buf = this.buf.subarray(end + 2);
    return text;
  }

  private onData(chunk: Buffer): void {
    this.lastIoAt = Date.now();
    if (this.phase.kind === "stream") {
      this.applyStream(chunk);
      return;
    }
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    this.advance();
  }

  private advance(): void {
    for (;;) {
      const phase = this.phase;
      if (phase.kind === "reply") {
        const text = this.line();
        if (text === null) return;
        if (!text.startsWith(phase.expect)) {
          this.log(`unexpected reply from master: ${text}`);
          this.socket?.end();
          return;
        }
        phase.then();
      } else if (phase.kind === "fullresync") {
        const text = this.line();
        if (text === null) return;
        const m = /^\+FULLRESYNC (\S+) (\d+)/.exec(text);
        if (!m) {
          this.log(`unexpected reply to PSYNC: ${text}`);
          this.socket?.end();
          return;
        }
        this.server.replication.replid = m[1]!;
        this.offset = Number(m[2]);
        this.state = "sync";
        this.phase = { kind: "payload-header" };
      } else if (phase.kind === "payload-header") {
        const text = this.line();
        if (text === null) return;
        if (text.startsWith("$EOF:")) this.phase = { kind: "payload-eof", mark: Buffer.from(text.slice(5), "latin1") };
        else this.phase = { kind: "payload", length: Number(text.slice(1)) };
      } else if (phase.kind === "payload") {
        if (this.buf.length < phase.length) return;
        if (!this.loadSnapshot(this.buf.subarray(0, phase.length))) return;
        this.startStream(this.buf.subarray(phase.length));
        return;
      } else if (phase.kind === "payload-eof") {
        const at = this.buf.indexOf(phase.mark);
        if (at < 0 || phase.mark.length !== EOF_MARK_LEN) return;
        if (!this.loadSnapshot(this.buf.subarray(0, at))) return;
        this.startStream(this.buf.subarray(at + phase.mark.length));
        return;
      } else {
        return;
      }
    }
  }

  /** Replaces our data with the master's snapshot; false (link dropped) if it cannot be read. */
  private loadSnapshot(rdb: Buffer): boolean {
    for (const db of this.server.databases) db.clear();
    try {
      // Like a Redis replica, keep keys that already expired: the master will send their DEL.
      loadRdb(this.server, rdb, { keepExpired: true });
    } catch (err) {
      this.log(`cannot load the master's RDB (${rdb.length} bytes): ${(err as Error).message}`);
      this.socket?.end();
      return false;
    }
    this.log(`full sync: loaded ${rdb.length} bytes of RDB from the master`);
    return true;
  }

  private startStream(rest: Buffer): void {
    this.phase = { kind: "stream" };
    this.state = "connected";
    this.server.replication.offset = this.offset;
    this.buf = Buffer.alloc(0);
    this.ackTimer = setInterval(() => this.ack(), ACK_PERIOD_MS);
    this.ackTimer.unref?.();
    if (rest.length > 0) this.applyStream(rest);
  }

  private ack(): void {
    if (this.state === "connected") this.send(["REPLCONF", "ACK", String(this.offset)]);
  }

  /** Applies the commands of the replication stream, counting their bytes. */
  private applyStream(chunk: Buffer): void {
    const before = this.parser.unconsumed;
    this.parser.feed(chunk);
    let left = this.parser.unconsumed;
    // Bytes the parser took straight into a big argument are consumed already.
    this.partial += chunk.length - (left - before);
    for (;;) {
      const request = this.parser.next();
      this.partial += left - this.parser.unconsumed;
      left = this.parser.unconsumed;
      if (request === null) return;
      const consumed = this.partial;
      this.partial = 0;
      if (request.kind === "protocol-error") {
        this.log(`bad replication stream: ${request.message}`);
        this.socket?.end();
        return;
      }
      this.applyCommand(request.argv);
      this.offset += consumed;
      this.server.replication.offset = this.offset;
    }
  }

  /**
   * Runs one command from the master, without replying — except REPLCONF
   * GETACK, answered with the offset of the stream before it.
   */
  protected applyCommand(argv: Buffer[]): void {
    if (argv.length >= 2 && asciiLower(argv[0]!.toString("latin1")) === "replconf" && asciiLower(argv[1]!.toString("latin1")) === "getack") {
      this.send(["REPLCONF", "ACK", String(this.offset)]);
      return;
    }
    executeCommand(this.server, this.client, argv);
  }

  private onDown(why: string): void {
    if (this.ackTimer !== null) clearInterval(this.ackTimer);
    this.ackTimer = null;
    this.socket = null;
    if (this.closed || this.state === "down") return;
    this.state = "down";
    this.log(`link to master ${this.host}:${this.port} down (${why}); retrying in ${RECONNECT_MS} ms`);
    this.retryTimer = setTimeout(() => void this.connect(), RECONNECT_MS);
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.ackTimer !== null) clearInterval(this.ackTimer);
    this.state = "down";
    this.socket?.end();
  }
}

/** Builds the link to a master; a variant server may substitute a subclass of MasterLink. */
export type MasterLinkFactory = (server: ServerState, host: string, port: number) => MasterInfo;

let createLink: MasterLinkFactory = (server, host, port) => new MasterLink(server, host, port);

export function setMasterLinkFactory(factory: MasterLinkFactory): void {
  createLink = factory;
}

/** Makes this server a replica of host:port (replacing any previous master). */
export function replicaOf(server: ServerState, host: string, port: number): void {
  server.replication.master?.close();
  server.replication.master = createLink(server, host, port);
}

/** REPLICAOF NO ONE: back to being a master, with a new replication ID. */
export function promote(server: ServerState): void {
  const repl = server.replication;
  if (repl.master === null) return;
  repl.master.close();
  repl.master = null;
}
