/**
 * Random zones for the DNS stages, written as master files (RFC 1035 §5) in
 * varied but standard styles: $ORIGIN and $TTL, `@`, relative and absolute
 * names, blank owners, TTL and class present or not, a parenthesised SOA
 * with comments. Knows what dig should print for each record.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { isListening } from "../../../harness/process/listening.ts";
import type { Random } from "../../../harness/random.ts";
import { StageFailure } from "../../../harness/report/failure.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";

/** The file the tests write the zone to: challenge.yaml passes it as --zone {dir}/zone.db. */
export const ZONE_FILE = "zone.db";

interface ZoneRecord {
  owner: string;
  type: string;
  /** RDATA as written in the file. */
  fileData: string;
  /** RDATA as dig prints it. */
  digData: string;
  /** Set when the record's line gives its TTL; otherwise $TTL applies. */
  explicitTtl?: number;
  /** How the line is written beyond the styles every record rotates through. */
  layout?: RecordLayout;
}

/** A record written over several lines in ( … ), and a comment after it. */
export interface RecordLayout {
  /** The type and data on a line of their own, inside ( … ) opened on the owner's line. */
  split?: boolean;
  /** A `;` comment at the end of the record's (last) line. */
  comment?: string;
}

export interface Soa {
  ttl: number;
  minimum: number;
}

type StyleChoice = "origin" | "relative" | "blank" | "withTtl" | "withoutTtl";

export class TestZone {
  readonly origin: string;
  readonly defaultTtl: number;
  readonly soa: Soa;
  private readonly records: ZoneRecord[] = [];
  /** TTL per RRset (owner + type): every record of an RRset has the same TTL (RFC 2181 §5.2). */
  private readonly rrsetTtl = new Map<string, number | undefined>();

  /**
   * Turns of each style choice, so that every style appears in every zone
   * that has two or more places for it (a random start, then alternating):
   * `@` or the origin spelled out, relative or absolute names, a blank or
   * repeated owner, TTL and class in either order or alone.
   */
  private readonly turns: Record<StyleChoice, number>;

  /**
   * `soa` sets the SOA's TTL and MINIMUM (by default TTL 3600 and a MINIMUM of 30 to 600, so the negative TTL is the MINIMUM);
   * `ns1` the address of the zone's name server ns1 (by default a random 127.0.0.x).
   */
  constructor(
    private readonly rand: Random,
    soa?: Soa,
    ns1?: string,
  ) {
    this.origin = `${rand.word()}${rand.int(100, 999)}.test.`;
    // Never a value a program might use when it ignores $TTL (3600, 86400, 0) or takes the SOA's MINIMUM (at most 600).
    this.defaultTtl = rand.int(1201, 3599);
    this.turns = { origin: rand.int(0, 1), relative: rand.int(0, 1), blank: 0, withTtl: rand.int(0, 2), withoutTtl: rand.int(0, 1) };
    this.soa = soa ?? { ttl: 3600, minimum: rand.int(30, 600) };
    const serial = rand.int(2020010100, 2029123199);
    this.add("@", "SOA", `ns1.${this.origin} hostmaster.${this.origin} ${serial} 7200 900 1209600 ${this.soa.minimum}`, this.soa.ttl);
    this.add("@", "NS", `ns1.${this.origin}`);
    const ns1Drawn = `127.0.0.${rand.int(2, 250)}`;
    this.add(`ns1.${this.origin}`, "A", ns1 ?? ns1Drawn);
  }

  /** A name in the zone: "www" → "www.mango123.test.", "@" → the origin. */
  fqdn(name: string): string {
    if (name === "@") return this.origin;
    return name.endsWith(".") ? name : `${name}.${this.origin}`;
  }

  /** Names `name()` gave out, so that two calls never return the same name (two "alias-NNNN" drawn alike would make one record set). */
  private readonly named = new Set<string>();

  /** A fresh random name in the zone, never one this zone gave out before. */
  name(prefix?: string): string {
    for (;;) {
      const fq = this.fqdn(`${prefix ?? this.rand.word()}-${this.rand.int(1000, 9999)}`);
      if (!this.named.has(fq)) {
        this.named.add(fq);
        return fq;
      }
    }
  }

  /**
   * Adds a record. `owner` is relative to the origin, "@", or absolute; data
   * is as dig prints it (absolute names). `ttl` is for the whole RRset:
   * undefined means the zone's $TTL.
   */
  add(owner: string, type: string, data: string, ttl?: number, layout?: RecordLayout): this {
    const fq = this.fqdn(owner);
    const key = `${fq.toLowerCase()} ${type}`;
    if (!this.rrsetTtl.has(key)) this.rrsetTtl.set(key, ttl);
    this.records.push({ owner: fq, type, digData: data, fileData: this.fileData(type, data), explicitTtl: this.rrsetTtl.get(key), layout });
    return this;
  }

  /** Writes names inside RDATA relative to the origin half of the time. */
  private fileData(type: string, data: string): string {
    if (!["NS", "CNAME", "PTR", "MX", "SOA"].includes(type)) return data;
    return data
      .split(" ")
      .map((w) => (w.endsWith(".") ? this.relative(w) : w))
      .join(" ");
  }

  /** The next turn of a style choice with `n` options. */
  private turn(which: StyleChoice, n: number): number {
    return this.turns[which]++ % n;
  }

  private relative(fq: string): string {
    if (fq.toLowerCase() === this.origin.toLowerCase()) return this.turn("origin", 2) === 0 ? "@" : fq;
    if (!fq.toLowerCase().endsWith(`.${this.origin.toLowerCase()}`) || this.turn("relative", 2) === 0) return fq;
    return fq.slice(0, -this.origin.length - 1);
  }

  /** TTL of a record as served. */
  private ttl(r: ZoneRecord): number {
    return r.explicitTtl ?? this.defaultTtl;
  }

  /** The records of an RRset as dig prints them (owner as given, lowercased). */
  rrset(owner: string, type: string): string[] {
    const fq = this.fqdn(owner).toLowerCase();
    return this.records.filter((r) => r.owner.toLowerCase() === fq && r.type === type).map((r) => `${fq} ${this.ttl(r)} IN ${type} ${r.digData}`);
  }

  /** The SOA as it appears in AUTHORITY of a negative answer: TTL min(SOA TTL, MINIMUM) (RFC 2308 §3). */
  negativeSoa(): string {
    const soa = this.rrset("@", "SOA")[0]!;
    return soa.replace(/^(\S+) \d+/, `$1 ${Math.min(this.soa.ttl, this.soa.minimum)}`);
  }

  /** The master file. */
  text(): string {
    const lines = [`; zone ${this.origin} written by the test`, `$ORIGIN ${this.origin}`, `$TTL ${this.defaultTtl}`];
    let previous: string | undefined;
    for (const r of this.records) {
      // The first repeated owner is always left blank (the NS line after the SOA), then explicit and blank alternate.
      const owner = r.owner === previous && this.turn("blank", 2) === 0 ? "" : this.relative(r.owner);
      previous = r.owner;
      const ttl = String(r.explicitTtl);
      const fields = r.explicitTtl === undefined ? [["IN"], []][this.turn("withoutTtl", 2)]! : [[ttl, "IN"], ["IN", ttl], [ttl]][this.turn("withTtl", 3)]!;
      let data = r.fileData;
      if (r.type === "SOA") {
        const [m, rn, ...nums] = data.split(" ");
        data = `${m} ${rn} (\n\t\t${nums[0]} ; serial\n\t\t${nums.slice(1).join(" ")} ) ; refresh retry expire minimum`;
      }
      const comment = r.layout?.comment === undefined ? "" : ` ; ${r.layout.comment}`;
      if (r.layout?.split) lines.push(`${[owner, ...fields, "("].join("\t")}\n\t\t${r.type}\t${data} )${comment}`);
      else lines.push(`${[owner, ...fields, r.type, data].join("\t")}${comment}`);
    }
    return `${lines.join("\n")}\n`;
  }
}

/** How long a program that receives on UDP may take to listen on TCP as well (the same bound as readiness). */
const TCP_LISTEN_MS = 5000;

/**
 * Writes the zone where the program will read it ({dir}/zone.db) and starts
 * the program (with `extraArgs` after the contract's). The harness knows it
 * is ready once it receives on UDP; with `tcp`, this also waits (bounded)
 * until it listens on TCP, which a program may open a moment later.
 */
export async function startWithZone(t: CaseContext, zone: TestZone, extraArgs: string[] = [], o: { tcp?: boolean } = {}): Promise<Program> {
  const text = zone.text();
  writeFileSync(join(t.dir, ZONE_FILE), text);
  t.log.command(`cat > ${ZONE_FILE} <<'EOF'\n${text}EOF`);
  const program = await t.start({ extraArgs });
  if (o.tcp) {
    const end = Date.now() + TCP_LISTEN_MS;
    while (!isListening(program.port, "tcp")) {
      if (Date.now() > end || program.process.exitCode !== null) {
        throw new StageFailure({
          message: `Your program receives on UDP port ${program.port} but does not listen on TCP port ${program.port} (waited ${TCP_LISTEN_MS / 1000} s), so nothing can be asked over TCP.`,
          hint: "From stage 6, listen on TCP too, on the same port as UDP (RFC 1035 §4.2.2).",
        });
      }
      await Bun.sleep(20);
    }
  }
  return program;
}

/** A random IPv4 address in 10.0.0.0/8 (only ever written into zones, never contacted). */
export function randomIpv4(rand: Random): string {
  return `10.${rand.int(0, 255)}.${rand.int(0, 255)}.${rand.int(1, 254)}`;
}

/** A random IPv6 address in 2001:db8::/32, in the form dig prints (RFC 5952). */
export function randomIpv6(rand: Random): string {
  const g = () => rand.int(1, 0xffff).toString(16);
  return `2001:db8:${g()}::${g()}:${g()}`;
}
