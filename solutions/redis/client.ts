// Per-client state that commands can see and change (selected database,
// close-after-reply). Socket I/O lives in connection.ts. Later stages add
// their per-client state here: MULTI queue, WATCHed keys, subscriptions,
// RESP version, replica status.

let nextClientId = 1;

export class ClientState {
  readonly id = nextClientId++;
  readonly createdAt = Date.now();
  /** Index of the selected database (SELECT). */
  db = 0;
  /** Set by QUIT (and on protocol errors): reply, then close the connection. */
  closeAfterReply = false;

  constructor(
    /** "ip:port" of the peer, for INFO/CLIENT LIST style output. */
    readonly peer: string = "",
  ) {}
}
