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

  async answer(q: Question): Promise<Answer> {
    const cached = this.cache.get(q);
    if (cached) return { ...cached, aa: false };
    try {
      const reply = await this.upstream.ask(this.server, q);
      const answer = { rcode: reply.header.rcode, answers: reply.answers, authority: reply.authority, additional: reply.additional };
      this.cache.put(q, answer);
      return { ...answer, aa: false };
    } catch (e) {
      console.error(`forwarding ${q.name.join(".")}: ${(e as Error).message}`);
      return { rcode: RCODE.SERVFAIL, aa: false, answers: [], authority: [], additional: [] };
    }
  }
}
