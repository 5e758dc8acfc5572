/**
 * A recursive resolver (RFC 1034 §5.3.3): starting from the root servers
 * of the hints file, or from the closest zone cut it already knows, it asks
 * authoritative servers (RD clear), follows their referrals using the glue
 * they give (or looks the name servers' addresses up itself), chases CNAMEs
 * across zones, and caches answers and zone cuts.
 */
import type { Answer } from "./authority.ts";
import { Cache, type CachedAnswer } from "./cache.ts";
import { CLASS_IN, RCODE, TYPE, type Message, type Question, type ResourceRecord } from "./message.ts";
import { Upstream } from "./upstream.ts";
import { isAtOrBelow, nameKey, showName, type Name } from "./wire.ts";
import { parseRecords } from "./zone.ts";

/** Authoritative servers listen on the DNS port. */
const DNS_PORT = 53;
/** Referrals followed for one name before giving up. */
const MAX_REFERRALS = 16;
/** Nested lookups (CNAME targets, name servers' addresses) before giving up. */
const MAX_DEPTH = 8;

/** Servers for a zone: the root's from the hints, the others learned from referrals. */
interface ZoneCut {
  zone: Name;
  addresses: string[];
  expires: number;
}

/** The root servers' addresses from a hints file (the A records of named.root's format). */
export function rootHints(text: string): string[] {
  const addresses = parseRecords(text)
    .filter((rr) => rr.type === TYPE.A && "address" in rr.data)
    .map((rr) => [...(rr.data as { address: Uint8Array }).address].join("."));
  if (addresses.length === 0) throw new Error("the root hints name no IPv4 address");
  return addresses;
}

class ResolutionError extends Error {}

export class Recursor {
  private readonly cuts = new Map<string, ZoneCut>();

  constructor(
    private readonly hints: string[],
    readonly cache: Cache = new Cache(),
    private readonly upstream: Upstream = new Upstream(),
  ) {}

  async answer(q: Question): Promise<Answer> {
    try {
      const a = await this.resolve(q, 0);
      return { ...a, aa: false };
    } catch (e) {
      console.error(`resolving ${showName(q.name)}: ${(e as Error).message}`);
      return { rcode: RCODE.SERVFAIL, aa: false, answers: [], authority: [], additional: [] };
    }
  }

  /** The closest enclosing zone whose servers are known (RFC 1034 §5.3.3 step 2), else the root's. */
  protected closest(name: Name): ZoneCut {
    for (let i = 0; i < name.length; i++) {
      const cut = this.cuts.get(nameKey(name.slice(i)));
      if (cut && cut.expires > Date.now()) return cut;
    }
    return { zone: [], addresses: this.hints, expires: Infinity };
  }

  /** Asks the servers in turn until one replies. */
  private async ask(addresses: string[], q: Question): Promise<Message> {
    for (const host of addresses) {
      try {
        return await this.upstream.ask({ host, port: DNS_PORT }, q, false);
      } catch {
        // try the next server
      }
    }
    throw new ResolutionError(`no server of ${addresses.join(", ")} replied for ${showName(q.name)}`);
  }

  private async resolve(q: Question, depth: number): Promise<CachedAnswer> {
    if (depth > MAX_DEPTH) throw new ResolutionError(`more than ${MAX_DEPTH} nested lookups`);
    const cached = this.cache.get(q);
    if (cached) return cached;
    let cut = this.closest(q.name);
    for (let step = 0; step < MAX_REFERRALS; step++) {
      const reply = await this.ask(cut.addresses, q);
      this.heard(reply);
      const answer = await this.interpret(q, reply, depth);
      if (answer) {
        this.cache.put(q, answer);
        return answer;
      }
      cut = await this.follow(q, reply, cut, depth);
    }
    throw new ResolutionError(`more than ${MAX_REFERRALS} referrals`);
  }

  /** The answer a reply gives (records, a CNAME chain chased to its end, or a negative answer), or undefined for a referral. */
  private async interpret(q: Question, reply: Message, depth: number): Promise<CachedAnswer | undefined> {
    const { rcode } = reply.header;
    // Follow the CNAME chain as far as this reply goes (RFC 1034 §5.3.3 step 4c).
    const chain: ResourceRecord[] = [];
    let name = q.name;
    for (let cname = findCname(reply.answers, name, q.type); cname && chain.length < MAX_DEPTH; cname = findCname(reply.answers, name, q.type)) {
      chain.push(cname);
      name = (cname.data as { target: Name }).target;
    }
    const records = reply.answers.filter((rr) => rr.type === q.type && nameKey(rr.name) === nameKey(name));
    if (records.length > 0) return { rcode, answers: [...chain, ...records], authority: [], additional: [] };
    if (chain.length > 0) {
      // The target is in another zone: resolve it from the top.
      const rest = await this.resolve({ ...q, name }, depth + 1);
      return { ...rest, answers: [...chain, ...rest.answers] };
    }
    const negative = rcode === RCODE.NXDOMAIN || (rcode === RCODE.NOERROR && reply.authority.some((rr) => rr.type === TYPE.SOA));
    if (negative) return { rcode, answers: [], authority: reply.authority, additional: [] };
    if (rcode !== RCODE.NOERROR) throw new ResolutionError(`the server answered RCODE ${rcode}`);
    return undefined;
  }

  /** Without glue: the servers' addresses, resolved like any other name (the first server that has one). */
  protected async addressesOf(targets: Name[], depth: number): Promise<string[]> {
    for (const target of targets) {
      const found = await this.resolve({ name: target, type: TYPE.A, class: CLASS_IN }, depth + 1).catch(() => undefined);
      const addresses = (found?.answers ?? []).filter((rr) => rr.type === TYPE.A).map((rr) => [...(rr.data as { address: Uint8Array }).address].join("."));
      if (addresses.length > 0) return addresses;
    }
    return [];
  }

  /** Called with every reply from an authoritative server (a broken fixture believes more of it than it should). */
  protected heard(_reply: Message): void {}

  /** The zone cut a referral leads to (RFC 1034 §5.3.3 step 4b), with its servers' addresses. */
  private async follow(q: Question, reply: Message, from: ZoneCut, depth: number): Promise<ZoneCut> {
    const ns = reply.authority.filter((rr) => rr.type === TYPE.NS);
    const zone = ns[0]?.name;
    // A referral must lead closer to the name, or the resolver would go round in circles.
    if (!zone || !isAtOrBelow(q.name, zone) || zone.length <= from.zone.length) throw new ResolutionError(`a server for ${showName(from.zone)} gave neither an answer nor a referral closer to ${showName(q.name)}`);
    const targets = ns.map((rr) => (rr.data as { target: Name }).target);
    // Glue only for the servers named, and only within the zone of the server that sent it (RFC 2181 §5.4.1).
    const glue = reply.additional.filter((rr) => rr.type === TYPE.A && targets.some((t) => nameKey(t) === nameKey(rr.name)) && isAtOrBelow(rr.name, from.zone));
    let addresses = glue.map((rr) => [...(rr.data as { address: Uint8Array }).address].join("."));
    if (addresses.length === 0) addresses = await this.addressesOf(targets, depth);
    if (addresses.length === 0) throw new ResolutionError(`no address for any server of ${showName(zone)}`);
    const cut = { zone, addresses, expires: Date.now() + 1000 * Math.min(...ns.map((rr) => rr.ttl)) };
    this.cuts.set(nameKey(zone), cut);
    return cut;
  }
}

function findCname(records: ResourceRecord[], name: Name, type: number): ResourceRecord | undefined {
  if (type === TYPE.CNAME) return undefined;
  return records.find((rr) => rr.type === TYPE.CNAME && nameKey(rr.name) === nameKey(name));
}
