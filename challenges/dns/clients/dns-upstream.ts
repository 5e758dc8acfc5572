/**
 * An upstream DNS server the test plays, for the resolver stages: answers
 * over UDP on a loopback port claimed for the case, from records the test
 * sets, and counts the queries it gets, so a test can see what a resolver
 * forwarded and what it answered from its cache. Every query is shown in
 * the transcript.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";
import type { DigResult } from "./dns.ts";
import { StageFailure } from "../../../harness/report/failure.ts";
import { encodeName, readWireHeader, readWireName, TYPES, type WireHeader } from "./dns-wire.ts";
import { startWithZone, TestZone } from "./dns-zone.ts";

interface Data {
  rcode: number;
  /** Authoritative answer (false for a referral). */
  aa: boolean;
  answers: Uint8Array[];
  authority: Uint8Array[];
  additional: Uint8Array[];
}

interface Delegation {
  zone: string;
  ns: string;
  glue?: string;
  ttl: number;
}

export interface UpstreamQuery {
  name: string;
  type: string;
  id: number;
  rd: boolean;
}

/** How long a relaying server waits for the reply of the server it relays to. */
const RELAY_WAIT_MS = 2000;

const TYPE_NAMES = Object.fromEntries(Object.entries(TYPES).map(([k, v]) => [v, k]));

export function record(name: string, type: string, ttl: number, rdata: Uint8Array): Uint8Array {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(TYPES[type]!, 0);
  fixed.writeUInt16BE(1, 2);
  fixed.writeUInt32BE(ttl, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([encodeName(name), fixed, rdata]);
}

function soaData(zone: string, minimum: number): Uint8Array {
  const nums = Buffer.alloc(20);
  [2026112301, 7200, 900, 1209600, minimum].forEach((n, i) => nums.writeUInt32BE(n, 4 * i));
  return Buffer.concat([encodeName(`ns1.${zone}`), encodeName(`hostmaster.${zone}`), nums]);
}

/** A question section: the name, then type and class IN. */
function encodeQuestion(name: string, type: string): Uint8Array {
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(TYPES[type]!, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([encodeName(name), tail]);
}

const ipBytes = (ip: string) => Uint8Array.from(ip.split(".").map(Number));

/** The 16 bytes of an IPv6 address written as randomIpv6 writes it (one `::` at most). */
function ipv6Bytes(ip: string): Uint8Array {
  const [head = "", tail] = ip.split("::");
  const groups = (s: string) => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  const h = groups(head);
  const tl = tail === undefined ? [] : groups(tail);
  const all = [...h, ...Array<number>(8 - h.length - tl.length).fill(0), ...tl];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, 2 * i));
  return out;
}

export class FakeUpstream {
  readonly queries: UpstreamQuery[] = [];
  private readonly data = new Map<string, Data>();
  private readonly delegations: Delegation[] = [];
  private soa?: { zone: string; minimum: number };
  private readonly delays = new Map<string, number>();
  private readonly forgeries = new Map<string, string>();
  private readonly failing = new Set<string>();
  private readonly alwaysFailing = new Set<string>();
  private readonly poison: Uint8Array[] = [];
  /** Set by relayTo: the loopback port of a DNS server this one passes every query to, unchanged, and whose reply it passes back. */
  private relayPort?: number;

  private constructor(
    private readonly t: CaseContext,
    readonly host: string,
    readonly port: number,
    readonly label: string,
  ) {}

  /**
   * Starts a server the test plays: by default on a loopback port claimed
   * for the case, or on `host`:`port` (a name server of the hierarchy, on
   * port 53 of its own 127.x.y.z address).
   */
  static async start(t: CaseContext, o: { host?: string; port?: number; label?: string } = {}): Promise<FakeUpstream> {
    const host = o.host ?? "127.0.0.1";
    const port = o.port ?? (await t.port());
    const up = new FakeUpstream(t, host, port, o.label ?? "upstream");
    let socket;
    try {
      socket = await Bun.udpSocket({
        hostname: host,
        port,
        socket: {
          data: (s, query, fromPort, fromAddress) => {
            // A send can fail once the case has ended and the socket is closed: nothing to report then.
            up.answer(s, Uint8Array.from(query), fromPort, fromAddress).catch((e) => {
              if (!t.signal.aborted) t.log.note(`${up.label} could not reply: ${(e as Error).message}`);
            });
          },
          // A late reply to a port the resolver has closed comes back as ICMP port unreachable: not an error of the test.
          error: (_s, e) => {
            if (!t.signal.aborted) t.log.note(`${up.label}: ${e.message}`);
          },
        },
      });
    } catch (e) {
      throw new StageFailure({
        message: `The test could not start its ${up.label} on ${host}:${port} (${(e as Error).message}).`,
        hint: port < 1024 ? "Serving on port 53 needs root (or CAP_NET_BIND_SERVICE, or sysctl net.ipv4.ip_unprivileged_port_start=53): run the tests as root, e.g. in a container." : "Another process holds the port: run the stage again.",
      });
    }
    t.log.note(`the test's ${up.label} listens on ${host}:${port} (UDP)`);
    t.defer(() => socket.close());
    return up;
  }

  /**
   * Makes this server a relay to the DNS server on 127.0.0.1:`port` (a
   * program the test started, which binds a port of its own, not port 53 of
   * this address): every query is passed on as it came and the reply passed
   * back as it came, from this address and port. Queries are still counted
   * and shown. A reply that does not come within 2 s is not passed back.
   */
  relayTo(port: number): this {
    this.relayPort = port;
    return this;
  }

  /** The argument that points a resolver here. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** Serves these A records for `name` (absolute, lowercase). */
  addresses(name: string, ips: string[], ttl: number): this {
    const answers = ips.map((ip) => record(name, "A", ttl, ipBytes(ip)));
    this.data.set(`${name} A`, { rcode: 0, aa: true, answers, authority: [], additional: [] });
    return this;
  }

  /** Serves these AAAA records for `name` (absolute, lowercase). */
  addresses6(name: string, ips: string[], ttl: number): this {
    const answers = ips.map((ip) => record(name, "AAAA", ttl, ipv6Bytes(ip)));
    this.data.set(`${name} AAAA`, { rcode: 0, aa: true, answers, authority: [], additional: [] });
    return this;
  }

  /** Serves a CNAME from `name` to `target`, for every type but CNAME asked of `name` too (as an authority does). */
  cname(name: string, target: string, ttl: number): this {
    this.data.set(`${name} CNAME`, { rcode: 0, aa: true, answers: [record(name, "CNAME", ttl, encodeName(target))], authority: [], additional: [] });
    return this;
  }

  /** Serves NS records for `zone` (its apex), with the servers' addresses in ADDITIONAL, and those addresses (the servers' names are in the zone). */
  nameServers(zone: string, servers: [name: string, ip: string][], ttl: number): this {
    const glue = servers.map(([n, ip]) => record(n, "A", ttl, ipBytes(ip)));
    this.data.set(`${zone} NS`, { rcode: 0, aa: true, answers: servers.map(([n]) => record(zone, "NS", ttl, encodeName(n))), authority: [], additional: glue });
    for (const [n, ip] of servers) this.addresses(n, [ip], ttl);
    return this;
  }

  /**
   * Refers every name at or below `zone` to its server `ns` (a referral: NS in
   * AUTHORITY, AA clear), with its address `glue` in ADDITIONAL, or no glue
   * when `glue` is undefined. Replaces an earlier delegation of `zone`.
   */
  delegate(zone: string, ns: string, glue: string | undefined, ttl: number): this {
    const others = this.delegations.filter((d) => d.zone !== zone);
    this.delegations.splice(0, this.delegations.length, ...others, { zone, ns, glue, ttl });
    return this;
  }

  /** Adds to every referral's ADDITIONAL an A record for `name` (not a server the referral names) with address `ip`: a poisoning attempt. */
  poisonReferrals(name: string, ip: string): this {
    this.poison.push(record(name, "A", 86400, ipBytes(ip)));
    return this;
  }

  /** Makes this server the authority for `zone`: names in it without data get NXDOMAIN (or NODATA) with its SOA. */
  authorityFor(zone: string, minimum: number): this {
    this.soa = { zone, minimum };
    return this;
  }

  /** Serves `alias` A as a recursive server would: its CNAME (TTL `cnameTtl`) to `target` and the target's A records (TTL `ttl`); and `target` A alone. */
  chain(alias: string, target: string, cnameTtl: number, ips: string[], ttl: number): this {
    this.addresses(target, ips, ttl);
    const addresses = this.data.get(`${target} A`)!.answers;
    this.data.set(`${alias} A`, { rcode: 0, aa: false, answers: [record(alias, "CNAME", cnameTtl, encodeName(target)), ...addresses], authority: [], additional: [] });
    return this;
  }

  /** Answers NODATA (NOERROR, no records) for `name` and `type`, with the SOA of `zone` in AUTHORITY. */
  nodata(name: string, type: string, zone: string, soaTtl: number, minimum: number): this {
    this.data.set(`${name} ${type}`, { rcode: 0, aa: true, answers: [], authority: [record(zone, "SOA", soaTtl, soaData(zone, minimum))], additional: [] });
    return this;
  }

  /** Answers SERVFAIL to the first query for `name`, then what it serves for it. */
  failOnce(name: string): this {
    this.failing.add(name);
    return this;
  }

  /** Answers SERVFAIL to every query for `name`. */
  failAlways(name: string): this {
    this.alwaysFailing.add(name);
    return this;
  }

  /** Answers NXDOMAIN for `name`, with the SOA of `zone` (TTL `soaTtl`, MINIMUM `minimum`) in AUTHORITY. */
  nxdomain(name: string, zone: string, soaTtl: number, minimum: number): this {
    this.data.set(`${name} A`, { rcode: 3, aa: true, answers: [], authority: [record(zone, "SOA", soaTtl, soaData(zone, minimum))], additional: [] });
    return this;
  }

  /** What this server answers for name and type: data, a CNAME, a referral, a negative answer, or REFUSED. */
  private lookup(name: string, type: string): Data {
    const exact = this.data.get(`${name} ${type}`) ?? (type === "CNAME" ? undefined : this.data.get(`${name} CNAME`));
    if (exact) return exact;
    const under = (zone: string) => zone === "." || name === zone || name.endsWith(`.${zone}`);
    const d = this.delegations.filter((x) => under(x.zone)).sort((a, b) => b.zone.length - a.zone.length)[0];
    if (d) {
      const glue = d.glue === undefined ? [] : [record(d.ns, "A", d.ttl, ipBytes(d.glue))];
      return { rcode: 0, aa: false, answers: [], authority: [record(d.zone, "NS", d.ttl, encodeName(d.ns))], additional: [...glue, ...this.poison] };
    }
    if (this.soa && under(this.soa.zone)) {
      const exists = [...this.data.keys()].some((k) => k.startsWith(`${name} `));
      return { rcode: exists ? 0 : 3, aa: true, answers: [], authority: [record(this.soa.zone, "SOA", 3600, soaData(this.soa.zone === "." ? "root.test." : this.soa.zone, this.soa.minimum))], additional: [] };
    }
    return { rcode: 5, aa: false, answers: [], authority: [], additional: [] };
  }

  /** How many queries for this name (and type) arrived. */
  count(name: string, type = "A"): number {
    return this.queries.filter((q) => q.name === name && q.type === type).length;
  }

  /** Answers `name` (any type) only after `ms` milliseconds. */
  delay(name: string, ms: number): this {
    this.delays.set(name, ms);
    return this;
  }

  /**
   * Before answering `name`, sends three forged replies that claim it has
   * address `ip`: one with the query's ID and question from another port of
   * this address, one from this port with another ID, and one from this port
   * with the ID but another question. The true reply follows 200 ms later.
   * Only the first query for the name gets the forgeries.
   */
  forge(name: string, ip: string): this {
    this.forgeries.set(name, ip);
    return this;
  }

  /** Replies to one datagram: at once, after a delay, or after forged replies. */
  private async answer(s: Bun.udp.Socket<"buffer">, query: Uint8Array, port: number, address: string): Promise<void> {
    const parsed = this.parse(query);
    if (!parsed) return;
    const { h, name, type, question } = parsed;
    this.queries.push({ name, type, id: h.id, rd: h.rd });
    this.t.log.note(`${this.label} got a query: ${name} ${type} (ID ${h.id}, RD=${h.rd ? 1 : 0})`);
    if (this.relayPort !== undefined) return this.pass(s, query, this.relayPort, port, address);
    const forged = this.forgeries.get(name);
    let wait = this.delays.get(name) ?? 0;
    if (forged !== undefined && type === "A") {
      // Only the first query is forged at: a resolver may discard a mismatched reply and ask again (Unbound does).
      this.forgeries.delete(name);
      const lie: Data = { rcode: 0, aa: true, answers: [record(name, "A", 3600, ipBytes(forged))], authority: [], additional: [] };
      const other = encodeQuestion(`forged-${name}`, type);
      const elsewhere = await Bun.udpSocket({ hostname: this.host });
      const elsewherePort = elsewhere.address.port;
      elsewhere.send(this.encode(h, question, lie), port, address);
      elsewhere.close();
      s.send(this.encode({ ...h, id: h.id ^ 0x5a5a }, question, lie), port, address);
      s.send(this.encode(h, other, lie), port, address);
      this.t.log.note(`${this.label} sent three forged replies for ${name} (${forged}): ID ${h.id} from port ${elsewherePort}, ID ${h.id ^ 0x5a5a}, and ID ${h.id} for the question forged-${name}`);
      wait = Math.max(wait, 200);
    }
    if (wait > 0) await Bun.sleep(wait);
    if (this.t.signal.aborted) return;
    const once = this.failing.delete(name);
    const fail = once || this.alwaysFailing.has(name);
    if (fail) this.t.log.note(`${this.label} answers SERVFAIL${once ? " this once" : ""}`);
    s.send(this.encode(h, question, fail ? { rcode: 2, aa: false, answers: [], authority: [], additional: [] } : this.lookup(name, type)), port, address);
  }

  /** Passes `query` to 127.0.0.1:`to` from a socket of its own, and its reply (within RELAY_WAIT_MS) back to whoever asked, from `s`. */
  private async pass(s: Bun.udp.Socket<"buffer">, query: Uint8Array, to: number, port: number, address: string): Promise<void> {
    let done!: (reply: Uint8Array | undefined) => void;
    const replied = new Promise<Uint8Array | undefined>((resolve) => (done = resolve));
    const socket = await Bun.udpSocket({ hostname: "127.0.0.1", socket: { data: (_s, data) => done(Uint8Array.from(data)) } });
    const timer = setTimeout(() => done(undefined), RELAY_WAIT_MS);
    socket.send(query, to, "127.0.0.1");
    const reply = await replied;
    clearTimeout(timer);
    socket.close();
    if (this.t.signal.aborted) return;
    if (!reply) return this.t.log.note(`${this.label}: no reply from 127.0.0.1:${to} within ${RELAY_WAIT_MS / 1000} s, none passed back`);
    s.send(reply, port, address);
  }

  /** A query's header, name (lowercase), type and question bytes, or undefined when it is not a query with one question. */
  private parse(query: Uint8Array): { h: WireHeader; name: string; type: string; question: Uint8Array } | undefined {
    const h = readWireHeader(query);
    if (!h || h.qr || h.qdcount !== 1) return undefined;
    let q;
    try {
      q = readWireName(query, 12);
    } catch {
      return undefined;
    }
    const v = Buffer.from(query);
    const end = 12 + q.size;
    if (end + 4 > v.length) return undefined;
    const type = TYPE_NAMES[v.readUInt16BE(end)] ?? String(v.readUInt16BE(end));
    return { h, name: q.name.toLowerCase(), type, question: query.subarray(12, end + 4) };
  }

  /** A reply with the query's ID and RD, the question given, and the data's RCODE, AA and sections (and an OPT when the query had one). */
  private encode(h: WireHeader, question: Uint8Array, d: Data): Uint8Array {
    const header = Buffer.alloc(12);
    header.writeUInt16BE(h.id, 0);
    header.writeUInt16BE(0x8000 | (d.aa ? 0x0400 : 0) | (h.rd ? 0x0100 : 0) | d.rcode, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(d.answers.length, 6);
    header.writeUInt16BE(d.authority.length, 8);
    // Answer EDNS with EDNS, so that a resolver does not think it unsupported and ask again.
    const opt = h.arcount > 0 ? Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0]) : Buffer.alloc(0);
    header.writeUInt16BE(d.additional.length + (opt.length > 0 ? 1 : 0), 10);
    return Buffer.concat([header, question, ...d.answers, ...d.authority, ...d.additional, opt]);
  }
}

/** The program under test started with --resolver pointing at an upstream the test plays (its zone filled by `fill` first), and a name outside its zone. */
export async function withUpstream(t: CaseContext, fill?: (zone: TestZone) => void): Promise<{ server: Program; up: FakeUpstream; zone: TestZone; outside: string }> {
  const up = await FakeUpstream.start(t);
  const zone = new TestZone(t.rand);
  fill?.(zone);
  const outside = `${t.rand.word()}${t.rand.int(100, 999)}.example.`;
  const server = await startWithZone(t, zone, ["--resolver", up.address]);
  return { server, up, zone, outside };
}

/** Like withUpstream, with `<label>.<outside name>` served by the upstream: `count` random A records with TTL `ttl`. */
export async function withUpstreamName(t: CaseContext, label: string, ttl: number, count = 1): Promise<{ server: Program; up: FakeUpstream; name: string; ips: string[] }> {
  const { server, up, outside } = await withUpstream(t);
  const name = `${label}.${outside}`;
  const ips = Array.from({ length: count }, () => `10.${t.rand.int(0, 255)}.${t.rand.int(0, 255)}.${t.rand.int(1, 254)}`);
  up.addresses(name, ips, ttl);
  return { server, up, name, ips };
}

/** The section's records with TTL 0: a resolver may already have counted the TTLs down. */
export function withoutTtls(r: DigResult, section: "answer" | "authority"): DigResult {
  return { ...r, [section]: r[section].map((rr) => ({ ...rr, ttl: 0 })) };
}

/** A small DNS tree on loopback: a root, the `test.` TLD and two zones below it, each on port 53 of its own 127.x.y.z address. */
export interface Hierarchy {
  root: FakeUpstream;
  tld: FakeUpstream;
  zones: [FakeUpstream, FakeUpstream];
  /** The two zones' names, e.g. "mango123.test.". */
  names: [string, string];
  /** The root hints file, written into the case directory. */
  hintsFile: string;
  servers: FakeUpstream[];
  /** Address `n` of the tree's /24 (1 to 4 are taken by the root, the TLD and the two zones). */
  ip: (n: number) => string;
}

/**
 * Builds the tree: the root delegates test. to the TLD server, which
 * delegates the two zones to their servers, with glue all the way. Writes a
 * root hints file (named.root's format) naming the root server.
 */
export async function startHierarchy(t: CaseContext): Promise<Hierarchy> {
  const net = `127.${t.rand.int(16, 250)}.${t.rand.int(0, 255)}`;
  const ip = (n: number) => `${net}.${n}`;
  const names: [string, string] = [`${t.rand.word()}${t.rand.int(100, 999)}.test.`, `${t.rand.word()}${t.rand.int(100, 999)}.test.`];
  const root = await FakeUpstream.start(t, { host: ip(1), port: 53, label: `root server ${ip(1)}` });
  const tld = await FakeUpstream.start(t, { host: ip(2), port: 53, label: `test. server ${ip(2)}` });
  const zones: [FakeUpstream, FakeUpstream] = [
    await FakeUpstream.start(t, { host: ip(3), port: 53, label: `${names[0]} server ${ip(3)}` }),
    await FakeUpstream.start(t, { host: ip(4), port: 53, label: `${names[1]} server ${ip(4)}` }),
  ];
  const day = 86400;
  root.authorityFor(".", 3600).nameServers(".", [["a.root-servers.test.", ip(1)]], day).delegate("test.", "ns.nic.test.", ip(2), day);
  tld.authorityFor("test.", 3600).nameServers("test.", [["ns.nic.test.", ip(2)]], day);
  for (const [i, zone] of names.entries()) {
    tld.delegate(zone, `ns1.${zone}`, ip(3 + i), day);
    zones[i]!.authorityFor(zone, 300).nameServers(zone, [[`ns1.${zone}`, ip(3 + i)]], day);
  }
  const hintsFile = join(t.dir, "root.hints");
  const hints = `; the root servers of the test's DNS tree\n.\t3600000\tNS\ta.root-servers.test.\na.root-servers.test.\t3600000\tA\t${ip(1)}\n`;
  writeFileSync(hintsFile, hints);
  t.log.command(`cat > root.hints <<'EOF'\n${hints}EOF`);
  return { root, tld, zones, names, hintsFile, servers: [root, tld, ...zones], ip };
}
