/**
 * A forwarding resolver (RFC 1034 §5.3.1 "stub"/forwarder, RFC 5452): a
 * question the zone cannot answer goes to the upstream server; its answer
 * is relayed and cached. Failures are SERVFAIL and are not cached.
 */
import type { Answer } from "./authority.ts";
import { Cache } from "./cache.ts";
import { RCODE, type Question } from "./message.ts";
import { Upstream, type Server } from "./upstream.ts";

export class Forwarder {
  constructor(
    readonly server: Server,
    readonly cache: Cache = new Cache(),
    private readonly upstream: Upstream = new Upstream(),
  ) {}

  /** `clientId`, the ID of the client's query, is passed on only so a broken fixture can misuse it. */
  async answer(q: Question, clientId?: number): Promise<Answer> {
    const cached = this.cache.get(q);
    if (cached) return { ...cached, aa: false };
    try {
      const reply = await this.upstream.ask(this.server, q, true, clientId);
      const answer = { rcode: reply.header.rcode, answers: reply.answers, authority: reply.authority, additional: reply.additional };
      this.cache.put(q, answer);
      return { ...answer, aa: false };
    } catch (e) {
      console.error(`forwarding ${q.name.join(".")}: ${(e as Error).message}`);
      return { rcode: RCODE.SERVFAIL, aa: false, answers: [], authority: [], additional: [] };
    }
  }
}
