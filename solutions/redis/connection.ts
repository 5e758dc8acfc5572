// One client connection: bytes in -> requests -> replies -> bytes out.
//
//   - Each connection has its own incremental RequestParser.
//   - Every complete request in a read is executed in order, and all replies
//     produced by one read are sent with a single write.
//   - Backpressure: socket.write() may accept fewer bytes than given; the
//     rest is queued and flushed from the socket's drain event, in order.
//     Reading is not paused meanwhile (Redis does not either), so a client
//     that sends a huge pipeline before reading anything still gets all its
//     replies.
//   - After QUIT or a protocol error the pending replies are flushed and the
//     connection is closed; later requests in the same read are ignored.
//   - If the peer half-closes (shuts down its sending side) the replies
//     already due are still delivered, then the connection is closed.
//   - A blocking command that cannot be served (BLPOP on an empty list)
//     parks the connection: its later input is buffered, not run, until the
//     blocked command's reply is delivered; then processing goes on.
//   - Replies are encoded in the client's protocol (RESP2, or RESP3 after
//     HELLO 3); replies due before a HELLO that switches it keep the old one.
//   - Replies meant for this client that other clients cause (pub/sub
//     messages) go through client.deliver, which keeps them in order with
//     the replies of the batch being processed.
//
// The protected methods are the steps of that pipeline, so a variant server
// can change one step (see server.ts ConnectionFactory).

import { ClientState } from "./client.ts";
import { executeCommand } from "./commands/index.ts";
import { error, NO_REPLY, raw, type Reply } from "./reply.ts";
import { encodeReplies, RequestParser, type Protocol } from "./resp.ts";
import type { ServerState } from "./state.ts";

/** The part of a Bun socket a connection uses. */
export interface SocketLike {
  write(data: Uint8Array): number;
  end(): void;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/** What the server loop calls for each socket event. */
export interface ConnectionHandler {
  onData(chunk: Uint8Array): void;
  onDrain(): void;
  /** The peer will send no more data (it closed or half-closed). */
  onEnd(): void;
  /** The socket is closed; release resources. */
  onClose(): void;
}

/** What of a reply CLIENT REPLY OFF lets through: pushes (pub/sub), nothing else. */
function pushesOnly(reply: Reply): Reply {
  if (reply.kind === "push") return reply;
  if (reply.kind === "many") return { kind: "many", value: reply.value.filter((r) => r.kind === "push") };
  return NO_REPLY;
}

export class Connection implements ConnectionHandler {
  readonly client: ClientState;
  protected readonly parser: RequestParser;
  /** Bytes accepted for sending but not yet taken by the socket: pending[head..]. */
  private pending: Uint8Array[] = [];
  private head = 0;
  /** No more requests are processed; close once `pending` is flushed. */
  private closing = false;
  private ended = false;
  private closed = false;
  /** A blocking command waits for its reply: input is buffered, not run. */
  private blocked = false;
  /** Replies of the batch being processed (non-null while processing). */
  private batch: Reply[] | null = null;

  constructor(
    protected readonly socket: SocketLike,
    protected readonly server: ServerState,
  ) {
    this.client = new ClientState(`${socket.remoteAddress}:${socket.remotePort}`);
    this.client.deliver = (reply) => this.deliver(reply);
    this.parser = this.createParser();
  }

  /** Sends a reply now, or after the replies of the batch being processed. */
  private deliver(reply: Reply): void {
    if (this.batch !== null) this.batch.push(reply);
    else this.send(this.encode([reply]));
  }

  protected createParser(): RequestParser {
    return new RequestParser();
  }

  onData(chunk: Uint8Array): void {
    if (this.closing) return;
    this.parser.feed(chunk, true);
    if (!this.blocked) this.runBuffered();
  }

  /** Processes the buffered requests and sends their replies (with anything delivered meanwhile). */
  private runBuffered(): void {
    const batch: Reply[] = [];
    this.batch = batch;
    try {
      for (const r of this.processInput()) batch.push(r);
    } finally {
      this.batch = null;
    }
    if (batch.length > 0) this.send(this.encode(batch));
    if (this.client.closeAfterReply) this.closeAfterFlush();
  }

  /** Runs every complete request buffered so far; returns their replies in order. */
  protected processInput(): Reply[] {
    const replies: Reply[] = [];
    while (!this.client.closeAfterReply && !this.blocked) {
      const protocol = this.client.protocol;
      const request = this.parser.next();
      if (request === null) break;
      if (request.kind === "protocol-error") {
        replies.push(error(`ERR ${request.message}`));
        this.client.closeAfterReply = true;
        break;
      }
      const mode = this.client.replyMode;
      const reply = this.execute(request.argv);
      if (this.client.protocol !== protocol) this.protocolSwitched(replies, protocol);
      // CLIENT REPLY OFF (or SKIP, for the command after it): only pushes go out.
      if (mode === "skip" && this.client.replyMode === "skip") this.client.replyMode = "on";
      const silenced = mode === "skip" || (mode === "off" && this.client.replyMode !== "on");
      replies.push(silenced ? pushesOnly(reply) : reply);
    }
    return replies;
  }

  /** HELLO changed the protocol: the replies before it (still unsent) are encoded now, in the old one. */
  protected protocolSwitched(replies: Reply[], old: Protocol): void {
    if (replies.length > 0) replies.splice(0, replies.length, raw(encodeReplies(replies, old)));
  }

  /** Runs one request; a command that blocks returns NO_REPLY and parks the connection. */
  protected execute(argv: Buffer[]): Reply {
    const result = executeCommand(this.server, this.client, argv);
    if (result.kind !== "block") return result;
    const spec = this.server.commands.get(argv[0]!.toString("latin1").toLowerCase())!;
    this.blocked = true;
    this.server.blocking.block(this.client, spec, argv, result, (reply) => this.unblocked(reply));
    return NO_REPLY;
  }

  private unblocked(reply: Reply): void {
    this.blocked = false;
    this.deliver(reply);
    // Go on with input that arrived meanwhile, outside the caller's loop.
    queueMicrotask(() => {
      if (!this.blocked && !this.closing && !this.closed) this.runBuffered();
    });
  }

  /** The wire bytes of replies, in the client's protocol (RESP2, or RESP3 after HELLO 3). */
  protected encode(replies: Reply[]): Uint8Array {
    return encodeReplies(replies, this.client.protocol);
  }

  /** Sends bytes in order, queueing whatever the socket cannot take now. */
  protected send(bytes: Uint8Array): void {
    if (this.closed || bytes.length === 0) return;
    if (this.head < this.pending.length) {
      this.pending.push(bytes);
      return;
    }
    const written = this.socket.write(bytes);
    if (written < 0) return; // socket already closed
    if (written < bytes.length) {
      this.pending = [bytes.subarray(written)];
      this.head = 0;
    }
  }

  /** Stops processing input; closes the socket once all replies are out. */
  protected closeAfterFlush(): void {
    this.closing = true;
    if (this.head >= this.pending.length) this.endSocket();
  }

  /** Bytes queued for sending (waiting for the socket to drain). */
  get pendingBytes(): number {
    let n = 0;
    for (let i = this.head; i < this.pending.length; i++) n += this.pending[i]!.length;
    return n;
  }

  onDrain(): void {
    while (this.head < this.pending.length && !this.closed) {
      const chunk = this.pending[this.head]!;
      const written = this.socket.write(chunk);
      if (written < 0) {
        this.closed = true;
        break;
      }
      if (written < chunk.length) {
        this.pending[this.head] = chunk.subarray(written);
        return;
      }
      this.head++;
    }
    this.pending = [];
    this.head = 0;
    if (this.closing) this.endSocket();
  }

  private endSocket(): void {
    if (this.ended || this.closed) return;
    this.ended = true;
    this.socket.end();
  }

  onEnd(): void {
    this.closeAfterFlush();
  }

  onClose(): void {
    this.closed = true;
    this.server.blocking.unblock(this.client);
    this.server.watches.unwatchAll(this.client);
    for (const hook of this.server.clientClosed) hook(this.client);
    this.pending = [];
    this.head = 0;
  }
}
