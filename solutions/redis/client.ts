// Per-client state that commands can see and change. Socket I/O lives in
// connection.ts; the connection sets `deliver`.

import type { Reply } from "./reply.ts";
import type { Protocol } from "./resp.ts";

let nextClientId = 1;

export class ClientState {
  readonly id = nextClientId++;
  readonly createdAt = Date.now();
  /** Index of the selected database (SELECT). */
  db = 0;
  /** The protocol replies are written in: RESP2 until HELLO 3 (HELLO 2 goes back). */
  protocol: Protocol = 2;
  /** CLIENT SETNAME / HELLO … SETNAME (empty: none). */
  name = "";
  /** CLIENT REPLY: "off" drops this client's replies (pushes still go out), "skip" drops the next one. */
  replyMode: "on" | "off" | "skip" = "on";
  /** Set by QUIT (and on protocol errors): reply, then close the connection. */
  closeAfterReply = false;

  /**
   * Sends a reply that is not the answer to this client's own current
   * command (a pub/sub message, a blocked command served). Replies are kept
   * in order with the client's own replies.
   */
  deliver: (reply: Reply) => void = () => {};

  /** MULTI: the queued commands, or null outside a transaction. */
  multi: Buffer[][] | null = null;
  /** A command failed to queue: EXEC must answer EXECABORT. */
  multiFailed = false;
  /** True while EXEC runs the queue (blocking commands must not block). */
  inExec = false;
  /** A WATCHed key changed: EXEC must fail. */
  watchDirty = false;

  /** Pub/Sub channels and patterns subscribed to (byte strings). */
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();

  /** True for the link to our master: commands are applied and not answered. */
  isMaster = false;

  constructor(
    /** "ip:port" of the peer, for INFO/CLIENT LIST style output. */
    readonly peer: string = "",
  ) {}

  /** Subscribed to something: in RESP2 only (P)(UN)SUBSCRIBE, PING, QUIT and RESET are allowed then. */
  get subscribed(): boolean {
    return this.channels.size + this.patterns.size > 0;
  }
}
