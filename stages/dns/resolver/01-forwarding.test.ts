import { dig, expectFlag, expectSection, expectStatus, udpExpectReply } from "../../../challenges/dns/clients/dns.ts";
import { withoutTtls, withUpstream, withUpstreamName } from "../../../challenges/dns/clients/dns-upstream.ts";
import { buildQuery } from "../../../challenges/dns/clients/dns-wire.ts";
import { randomIpv4, randomIpv6 } from "../../../challenges/dns/clients/dns-zone.ts";
import { stage } from "../../../harness/stage/define.ts";

const FORWARD = "A question for a name outside your zone goes to the server given with --resolver <ip>:<port>: send it a query for the same name and type (RD set), wait for its reply (bounded), and answer your client with that reply's RCODE and records.";

export default stage(import.meta, [
  {
    name: "a name outside the zone is forwarded, and the upstream's answer relayed with RA set",
    async run(t) {
      const { server, up, name, ips } = await withUpstreamName(t, "www", 3600, 2);
      const r = await dig(t, server).query(name, "A", {}, { hint: FORWARD });
      if (up.count(name) === 0) t.fail({ message: `Your program answered ${name} without asking the upstream server (${up.address}).`, hint: FORWARD });
      const withoutRd = up.queries.filter((q) => !q.rd);
      if (withoutRd.length > 0) {
        t.fail({
          message: "Your program forwarded the question to the upstream with RD clear.",
          expected: "RD=1 in every query to the upstream",
          received: withoutRd.map((q) => `${q.name} ${q.type} (ID ${q.id}, RD=0)`).join("\n"),
          hint: "Set RD (recursion desired, 0x01 in byte 2) in queries you forward: the upstream is a recursive server, and without RD it answers only from its cache or refers you elsewhere (RFC 1034 §5.3.1).",
        });
      }
      expectStatus(r, "NOERROR", { hint: FORWARD });
      expectSection(withoutTtls(r, "answer"), "answer", ips.map((ip) => `${name} 0 IN A ${ip}`), { hint: FORWARD });
      expectFlag(r, "ra", true, { hint: "Set RA (recursion available, 0x80 in byte 3) in replies: your server now answers any name for its clients (RFC 1035 §4.1.1)." });
      expectFlag(r, "aa", false, { hint: "AA is for answers from your own zone: a relayed answer is not authoritative." });
    },
  },
  {
    name: "names in the zone are answered from the zone; other types are forwarded as asked",
    async run(t) {
      let www = "";
      const { server, up, zone, outside } = await withUpstream(t, (z) => {
        www = z.name("www");
        z.add(www, "A", randomIpv4(t.rand));
      });
      const d = dig(t, server);
      const own = await d.query(www, "A");
      expectSection(own, "answer", zone.rrset(www, "A"), { hint: "A name in your zone is answered from the zone, as before: only names outside it are forwarded." });
      expectFlag(own, "aa", true, { hint: "Answers from your own zone stay authoritative (AA set)." });
      if (up.queries.length > 0) t.fail({ message: `Your program asked the upstream about ${www}, a name in its own zone.`, hint: "Look in your zone first; forward only the names outside it (those you refused before)." });
      const v6name = `v6.${outside}`;
      const v6 = [randomIpv6(t.rand)];
      up.addresses6(v6name, v6, 3600);
      const r = await d.query(v6name, "AAAA", {}, { hint: FORWARD });
      expectSection(withoutTtls(r, "answer"), "answer", v6.map((ip) => `${v6name} 0 IN AAAA ${ip}`), { hint: `${FORWARD} Ask for the type your client asked for.` });
      if (up.count(v6name, "AAAA") === 0) t.fail({ message: `Your program answered ${v6name} AAAA without asking the upstream for AAAA.`, expected: `a query for ${v6name} AAAA upstream`, received: up.queries.map((q) => `${q.name} ${q.type}`).join("\n") || "(none)", hint: FORWARD });
    },
  },
  {
    name: "NXDOMAIN from upstream is relayed, with its SOA; SERVFAIL stays SERVFAIL",
    async run(t) {
      const { server, up, outside } = await withUpstream(t);
      const broken = `broken.${outside}`;
      up.failAlways(broken);
      const failed = await dig(t, server).query(broken, "A", {}, { hint: FORWARD });
      expectStatus(failed, "SERVFAIL", { hint: "Relay the upstream's RCODE, whatever it is: an upstream that answers SERVFAIL (RCODE 2) has no answer for you, and your client must not get NOERROR with no records (that would say the name exists and has none)." });
      const name = `missing.${outside}`;
      up.nxdomain(name, outside, 3600, t.rand.int(60, 600));
      const r = await dig(t, server).query(name, "A", {}, { hint: FORWARD });
      expectStatus(r, "NXDOMAIN", { hint: "Relay the upstream's RCODE: NXDOMAIN stays NXDOMAIN." });
      if (r.authority.length !== 1 || r.authority[0]!.type !== "SOA") {
        t.fail({ message: "The upstream's NXDOMAIN came with its zone's SOA in AUTHORITY; your reply should carry it on.", expected: `${outside} … IN SOA …`, received: r.authority.map((rr) => `${rr.name} ${rr.ttl} IN ${rr.type} ${rr.data}`).join("\n") || "(no records)", hint: "Relay the AUTHORITY section too: clients and downstream caches need the SOA to cache the negative answer (RFC 2308 §5)." });
      }
    },
  },
  {
    name: "replies from another port, with another ID, or for another question are ignored",
    async run(t) {
      const { server, up, name, ips } = await withUpstreamName(t, "www", 3600);
      up.forge(name, `192.0.2.${t.rand.int(1, 254)}`);
      const r = await dig(t, server).query(name, "A", {}, { hint: FORWARD });
      expectSection(withoutTtls(r, "answer"), "answer", [`${name} 0 IN A ${ips[0]}`], {
        message: `Your program took a forged reply for ${name} (the upstream's true reply came 200 ms after three forged ones).`,
        hint: "Accept a reply only from the address and port you sent the query to, with the ID you gave it and your question (RFC 5452 §9.1); ignore anything else and keep waiting.",
      });
    },
  },
  {
    name: "several clients' queries in flight at once each get their own answer",
    async run(t) {
      const { server, up, outside } = await withUpstream(t);
      const names = [`slow.${outside}`, `fast.${outside}`];
      const ips = names.map(() => randomIpv4(t.rand));
      names.forEach((n, i) => up.addresses(n, [ips[i]!], 3600));
      // The first name's answer comes last: the forwarder must match each reply to its own client.
      up.delay(names[0]!, 300);
      const d = dig(t, server);
      const [slow, fast] = await Promise.all([d.query(names[0]!, "A", {}, { hint: FORWARD }), Bun.sleep(50).then(() => d.query(names[1]!, "A", {}, { hint: FORWARD }))]);
      const IN_FLIGHT = "Several questions can wait for the upstream at once: keep, per upstream ID, which client (address, port, ID, question) each is for, and answer each client when its own reply comes, in whatever order.";
      expectSection(withoutTtls(slow, "answer"), "answer", [`${names[0]} 0 IN A ${ips[0]}`], { message: `Wrong answer to ${names[0]}, asked while ${names[1]} was also being forwarded.`, hint: IN_FLIGHT });
      expectSection(withoutTtls(fast, "answer"), "answer", [`${names[1]} 0 IN A ${ips[1]}`], { message: `Wrong answer to ${names[1]}, asked while ${names[0]} was still waiting for the upstream.`, hint: IN_FLIGHT });
    },
  },
  {
    name: "queries to the upstream carry IDs of their own",
    async run(t) {
      const { server, up, outside } = await withUpstream(t);
      const names = [0, 1, 2].map((i) => `host${i}.${outside}`);
      for (const n of names) up.addresses(n, [randomIpv4(t.rand)], 3600);
      const ids: number[] = [];
      for (const n of names) {
        const id = t.rand.int(1, 0xfffe);
        ids.push(id);
        const reply = await udpExpectReply(t, server, buildQuery({ id, name: n, type: "A" }), { message: `No reply to a query for ${n}.`, hint: FORWARD });
        t.expectEqual(`id ${reply.header.id}`, `id ${id}`, { message: "The reply to your client must carry the client's ID.", hint: "Remember which client (address, port, ID) each forwarded query is for, and answer it with its own ID." });
      }
      const upstreamIds = up.queries.map((q) => q.id);
      const RANDOM_ID = "Give each query you send upstream a new random ID (RFC 5452 §9.2): an ID a client chose, or a predictable one, makes forged replies easy to get accepted (cache poisoning). Map the reply back to the client's ID.";
      // Query i went upstream as upstreamIds[i] (the client queries are sent one after another). A forwarder
      // that copies IDs matches on all three; a random ID equals its client's by chance with p = 1/65536, so
      // two matches (p ≈ 7e-10) are never a correct program's bad luck, where one would be (p ≈ 5e-5).
      if (upstreamIds.filter((id, i) => id === ids[i]).length >= 2) {
        t.fail({
          message: "Your program forwarded queries to the upstream with the clients' own IDs.",
          expected: `fresh IDs, unlike the clients' ${ids.join(", ")}`,
          received: `upstream saw IDs ${upstreamIds.join(", ")}`,
          hint: RANDOM_ID,
        });
      }
      const steps = upstreamIds.slice(1).map((id, i) => (id - upstreamIds[i]! + 0x10000) % 0x10000);
      if (steps.length > 0 && steps.every((s) => s <= 16)) {
        t.fail({ message: "The IDs of your queries to the upstream are predictable: each is the last plus a little.", expected: "random IDs", received: `upstream saw IDs ${upstreamIds.join(", ")}`, hint: RANDOM_ID });
      }
    },
  },
]);
