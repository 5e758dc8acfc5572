import { dig, expectFlag, expectSection, expectStatus } from "../../../challenges/dns/clients/dns.ts";
import { startHierarchy, withoutTtls } from "../../../challenges/dns/clients/dns-upstream.ts";
import { randomIpv4, startWithZone, TestZone } from "../../../challenges/dns/clients/dns-zone.ts";
import { FakeUpstream } from "../../../challenges/dns/clients/dns-upstream.ts";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { stage } from "../../../harness/stage/define.ts";

const ITERATE = "Start at a root server from the --root-hints file and ask it the question with RD clear. A server that does not have the answer refers you closer: its AUTHORITY section has the NS records of a zone nearer the name, and ADDITIONAL their addresses (glue). Ask one of those servers next, until one answers (RFC 1034 §5.3.3).";

async function recursiveServer(t: CaseContext) {
  const tree = await startHierarchy(t);
  const server = await startWithZone(t, new TestZone(t.rand), ["--root-hints", tree.hintsFile]);
  return { tree, server };
}

export default stage(import.meta, [
  {
    name: "a name is resolved from the root, following referrals and glue, with RD clear",
    async run(t) {
      const { tree, server } = await recursiveServer(t);
      const www = `www.${tree.names[0]}`;
      const ip = randomIpv4(t.rand);
      tree.zones[0].addresses(www, [ip], 3600);
      const rootUnasked = () => {
        if (tree.root.queries.length === 0) t.fail({ message: `Your program never asked the root server the --root-hints file names (a.root-servers.test. at ${tree.ip(1)}, port 53) to resolve ${www}`, hint: `Read the root servers' addresses from the file given with --root-hints (the A records of named.root's format) and start every resolution there, on port 53: name servers listen on port 53. ${ITERATE}` });
      };
      const r = await dig(t, server).query(www, "A", {}, { hint: ITERATE }).catch((e: unknown) => {
        rootUnasked();
        throw e;
      });
      rootUnasked();
      if (r.answer.length === 0 && r.authority.some((rr) => rr.type === "NS")) {
        t.fail({ message: `Your program answered ${www} with a referral (no answer, NS records of ${r.authority.find((rr) => rr.type === "NS")!.name} in AUTHORITY): it relayed what a server said instead of following it.`, hint: `A referral is not an answer: ask the servers it names next, and so on down the tree, until one answers. ${ITERATE}` });
      }
      expectStatus(r, "NOERROR", { hint: ITERATE });
      expectSection(withoutTtls(r, "answer"), "answer", [`${www} 0 IN A ${ip}`], { hint: ITERATE });
      expectFlag(r, "ra", true, { hint: "Set RA in replies: your server resolves names for its clients." });
      for (const s of tree.servers) {
        if (s === tree.zones[1]) continue;
        if (s.queries.length === 0) t.fail({ message: `Your program resolved ${www} without asking the ${s.label}.`, hint: ITERATE });
      }
      const withRd = tree.servers.flatMap((s) => s.queries.filter((q) => q.rd).map((q) => `${s.label}: ${q.name} ${q.type}`));
      if (withRd.length > 0) t.fail({ message: "Your program asked authoritative servers with RD set.", expected: "RD=0 in every query to the root, TLD and zone servers", received: withRd.join("\n"), hint: "A recursive resolver does the recursion itself: its queries to authoritative servers ask for no recursion (RD clear, RFC 1034 §5.3.3)." });
    },
  },
  {
    name: "a CNAME into another zone is chased from the root",
    async run(t) {
      const { tree, server } = await recursiveServer(t);
      const alias = `alias.${tree.names[0]}`;
      const target = `www.${tree.names[1]}`;
      const ip = randomIpv4(t.rand);
      tree.zones[0].cname(alias, target, 3600);
      tree.zones[1].addresses(target, [ip], 3600);
      const r = await dig(t, server).query(alias, "A");
      expectSection(withoutTtls(r, "answer"), "answer", [`${alias} 0 IN CNAME ${target}`, `${target} 0 IN A ${ip}`], {
        hint: `The server of ${tree.names[0]} answers with the CNAME only: its target is in another zone. Keep the CNAME for the answer and resolve the target from the root (or the closest zone you know) (RFC 1034 §5.3.3, step 4c).`,
      });
      if (tree.zones[1].count(target) === 0) t.fail({ message: `Your program never asked the server of ${tree.names[1]} for ${target}.`, hint: "Resolve a CNAME's target like any other name." });
    },
  },
  {
    name: "a second name in a known zone goes straight to that zone's server",
    async run(t) {
      const { tree, server } = await recursiveServer(t);
      const [one, two] = [`www.${tree.names[0]}`, `mail.${tree.names[0]}`];
      const ips = [randomIpv4(t.rand), randomIpv4(t.rand)];
      tree.zones[0].addresses(one, [ips[0]!], 3600).addresses(two, [ips[1]!], 3600);
      const d = dig(t, server);
      await d.query(one, "A");
      const before = tree.root.queries.length + tree.tld.queries.length;
      const r = await d.query(two, "A");
      expectSection(withoutTtls(r, "answer"), "answer", [`${two} 0 IN A ${ips[1]}`], { hint: ITERATE });
      const after = tree.root.queries.length + tree.tld.queries.length;
      const all = () => tree.servers.reduce((sum, x) => sum + x.queries.length, 0);
      const beforeAgain = all();
      const again = await d.query(two, "A");
      expectSection(withoutTtls(again, "answer"), "answer", [`${two} 0 IN A ${ips[1]}`], { hint: ITERATE });
      if (all() > beforeAgain) t.fail({ message: `${two} was asked again at once, yet your program asked the servers again instead of answering from its cache.`, expected: "no new query to any server", received: `${all() - beforeAgain} new queries`, hint: "Cache answers as in stage 2: the same question within the TTL is answered from the cache." });
      if (after > before) {
        t.fail({
          message: `To resolve ${two} your program asked the root or test. servers again, though it had just learned which servers serve ${tree.names[0]} (resolving ${one}).`,
          expected: "no new query to the root or test. servers",
          received: `${after - before} new queries to them`,
          hint: "Cache referrals: remember the servers (and addresses) of each zone you are referred to, for the NS records' TTL, and start the next resolution at the closest zone you know (RFC 1034 §5.3.3, step 2).",
        });
      }
    },
  },
  {
    name: "NXDOMAIN and NODATA from the zone's server are relayed, with its SOA",
    async run(t) {
      const { tree, server } = await recursiveServer(t);
      const missing = `missing.${tree.names[1]}`;
      const www = `www.${tree.names[1]}`;
      tree.zones[1].addresses(www, [randomIpv4(t.rand)], 3600);
      const NEGATIVE = "When the zone's server says the name does not exist (NXDOMAIN), or has no record of that type (NOERROR, no answer, its SOA in AUTHORITY), that is the answer: relay the RCODE and the SOA.";
      const d = dig(t, server);
      for (const [name, type, status] of [[missing, "A", "NXDOMAIN"], [www, "AAAA", "NOERROR"]] as const) {
        const r = await d.query(name, type);
        expectStatus(r, status, { hint: NEGATIVE });
        expectSection(r, "answer", [], { hint: NEGATIVE });
        const soa = r.authority.filter((rr) => rr.type === "SOA").map((rr) => rr.name.toLowerCase());
        if (soa.length !== 1 || soa[0] !== tree.names[1]) {
          t.fail({ message: `The ${status} for ${name} ${type} came from the server of ${tree.names[1]} with that zone's SOA in AUTHORITY; your reply should carry it on.`, expected: `${tree.names[1]} … IN SOA …`, received: r.authority.map((rr) => `${rr.name} ${rr.ttl} IN ${rr.type} ${rr.data}`).join("\n") || "(no records)", hint: NEGATIVE });
        }
      }
    },
  },
  {
    name: "a referral without glue: the server's own name is resolved first",
    async run(t) {
      const { tree, server } = await recursiveServer(t);
      // The TLD refers the second zone to a server named in the first zone, with no address for it.
      const ns = `ns.${tree.names[0]}`;
      tree.tld.delegate(tree.names[1], ns, undefined, 86400);
      tree.zones[0].addresses(ns, [tree.zones[1].host], 86400);
      const www = `www.${tree.names[1]}`;
      const ip = randomIpv4(t.rand);
      tree.zones[1].addresses(www, [ip], 3600);
      const NO_GLUE = `The test. server refers ${tree.names[1]} to ${ns} and gives no address for it (no glue: the name is in another zone). Resolve ${ns} A yourself, from the root, then ask that address (RFC 1034 §5.3.3, step 4b).`;
      const r = await dig(t, server).query(www, "A", {}, { hint: NO_GLUE });
      expectSection(withoutTtls(r, "answer"), "answer", [`${www} 0 IN A ${ip}`], { hint: NO_GLUE });
      if (tree.zones[0].count(ns) === 0) t.fail({ message: `Your program never asked the server of ${tree.names[0]} for ${ns}, the server it was referred to.`, hint: NO_GLUE });
    },
  },
  {
    name: "an authoritative server like yours is a level of the tree: its answers and referrals are followed",
    async run(t) {
      const { tree, server } = await recursiveServer(t);
      // A third zone under test., served by a second copy of your program as an authoritative server (stages 1-8:
      // --port and --zone only). It listens on 127.0.0.1:<its port>; the tree reaches it as ns1.<zone> at
      // address 5 of the tree, port 53, where the test passes every datagram on to it and its replies back.
      const level = new TestZone(t.rand, undefined, tree.ip(5));
      const www = `www.${level.origin}`;
      const sub = `sub.${level.origin}`;
      const [ip1, ip2] = [randomIpv4(t.rand), randomIpv4(t.rand)];
      level.add(www, "A", ip1).add(sub, "NS", `ns.${sub}`).add(`ns.${sub}`, "A", tree.ip(6));
      const file = join(t.dir, "level.db");
      const text = level.text();
      writeFileSync(file, text);
      t.log.command(`cat > level.db <<'EOF'\n${text}EOF`);
      const authoritative = await t.start({ args: ["--port", "{port}", "--zone", file] });
      const relay = (await FakeUpstream.start(t, { host: tree.ip(5), port: 53, label: `${level.origin} server ${tree.ip(5)} (your program at 127.0.0.1:${authoritative.port}, relayed)` })).relayTo(authoritative.port);
      const below = await FakeUpstream.start(t, { host: tree.ip(6), port: 53, label: `${sub} server ${tree.ip(6)}` });
      below.authorityFor(sub, 300).nameServers(sub, [[`ns.${sub}`, tree.ip(6)]], 86400).addresses(`www.${sub}`, [ip2], 3600);
      tree.tld.delegate(level.origin, `ns1.${level.origin}`, tree.ip(5), 86400);
      const LEVEL = `The test. server refers ${level.origin} to ns1.${level.origin} (${tree.ip(5)}), an authoritative server like the one you built in stages 1 to 8: it answers names of its zone with AA, and refers ${sub} (a zone cut in its zone) to ns.${sub} with glue. Its replies compress names (RFC 1035 §4.1.4): read them as you read any reply, pointers included, and follow the referral as you follow the test. server's.`;
      const d = dig(t, server);
      const ask = async (name: string) => {
        const r = await d.run(name, "A");
        if (!r.ok) t.fail({ message: `dig got no usable reply to ${name} A${r.problem ? `: ${r.problem}` : "."} (The server of ${level.origin} was asked: ${relay.queries.map((q) => `${q.name} ${q.type}`).join(", ") || "nothing"}.)`, hint: LEVEL });
        return r;
      };
      const r1 = await ask(www);
      expectStatus(r1, "NOERROR", { hint: LEVEL });
      expectSection(withoutTtls(r1, "answer"), "answer", [`${www} 0 IN A ${ip1}`], { hint: LEVEL });
      if (relay.count(www) === 0) t.fail({ message: `Your program answered ${www} without asking the server of ${level.origin} (${tree.ip(5)}).`, hint: LEVEL });
      const r2 = await ask(`www.${sub}`);
      expectStatus(r2, "NOERROR", { hint: LEVEL });
      expectSection(withoutTtls(r2, "answer"), "answer", [`www.${sub} 0 IN A ${ip2}`], { hint: LEVEL });
      if (below.count(`www.${sub}`) === 0) t.fail({ message: `Your program answered www.${sub} without asking the server of ${sub} (${tree.ip(6)}), to which the server of ${level.origin} refers it.`, hint: LEVEL });
    },
  },
  {
    name: "records in a referral's ADDITIONAL that are not for the servers it names are not believed",
    async run(t) {
      const { tree, server } = await recursiveServer(t);
      const [one, two] = [`www.${tree.names[0]}`, `www.${tree.names[1]}`];
      const [ip1, ip2] = [randomIpv4(t.rand), randomIpv4(t.rand)];
      tree.zones[0].addresses(one, [ip1], 3600);
      tree.zones[1].addresses(two, [ip2], 3600);
      const forged = `192.0.2.${t.rand.int(1, 254)}`;
      tree.tld.poisonReferrals(two, forged);
      const d = dig(t, server);
      await d.query(one, "A");
      const r = await d.query(two, "A");
      expectSection(withoutTtls(r, "answer"), "answer", [`${two} 0 IN A ${ip2}`], {
        message: `Wrong answer for ${two}: the test. server's referral for ${tree.names[0]} carried a forged A record for ${two} (${forged}) in ADDITIONAL.`,
        hint: "Use ADDITIONAL records of a referral only as glue: the addresses of the name servers its NS records name, within the zone of the server that sent it (RFC 2181 §5.4.1). Anything else there is not to be cached or answered from.",
      });
    },
  },
]);
