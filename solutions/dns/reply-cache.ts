/**
 * Replies already made, in wire format. An authoritative server's reply
 * depends only on the query's bytes after its ID (flags, question, EDNS)
 * and on the transport, so a query seen before is answered with a copy of
 * the earlier reply and the new ID written into it (RFC 1035 §4.1.1: the ID
 * is copied), with no decoding or encoding. NSD does the same with its
 * precompiled answers. Only answers from the zone are kept (NOERROR and
 * NXDOMAIN: never FORMERR for garbage), and at most `maxEntries`: when full,
 * the cache starts over.
 */

const NOERROR = 0;
const NXDOMAIN = 3;

export class ReplyCache {
  private readonly replies = new Map<string, Uint8Array>();

  constructor(private readonly maxEntries = 10_000) {}

  /** What the reply depends on: the transport (its size limit) and every byte of the query but the ID. */
  static key(transport: "udp" | "tcp", query: Uint8Array): string {
    const bytes = query instanceof Buffer ? query : Buffer.from(query.buffer, query.byteOffset, query.byteLength);
    return transport === "udp" ? bytes.toString("latin1", 2) : `t${bytes.toString("latin1", 2)}`;
  }

  /** A fresh copy of the reply made for `key`, with `query`'s ID, or undefined. */
  get(key: string, query: Uint8Array): Uint8Array | undefined {
    const reply = this.replies.get(key);
    if (!reply) return undefined;
    const copy = new Uint8Array(reply);
    copy[0] = query[0]!;
    copy[1] = query[1]!;
    return copy;
  }

  set(key: string, reply: Uint8Array): void {
    const rcode = reply[3]! & 0x0f;
    if (reply.length < 12 || (rcode !== NOERROR && rcode !== NXDOMAIN)) return;
    if (this.replies.size >= this.maxEntries) this.replies.clear();
    this.replies.set(key, reply);
  }
}
