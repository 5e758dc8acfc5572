import { udpBurst, UdpBurster, udpExchange, udpExpectReply } from "../../challenges/dns/clients/dns.ts";
import { buildQuery, encodeName, RCODES, readWireMessage, showHeader } from "../../challenges/dns/clients/dns-wire.ts";
import { randomIpv4, startWithZone, TestZone } from "../../challenges/dns/clients/dns-zone.ts";
import { TcpConnection } from "../../harness/clients/tcp.ts";
import type { Random } from "../../harness/random.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import type { Program } from "../../harness/stage/program.ts";
import { stage } from "../../harness/stage/define.ts";
import { visible } from "../../harness/report/show.ts";

const SURVIVE = "Treat every datagram as untrusted: check each length against the end of the message before reading, catch errors per packet, and on anything you cannot parse reply FORMERR (or drop it) — never let one packet stop the server.";
const TCP_SURVIVE = "Over TCP, keep the bytes of a message that has not fully arrived until the rest comes or the client closes (then drop them); read the 2-byte length only once both bytes are there; and catch errors per connection: what one client sends must never stop the server.";

/** Well-formed queries for names of the zone, of several types. */
function queries(rand: Random, zone: TestZone, names: string[], n: number): Uint8Array[] {
  return Array.from({ length: n }, () => buildQuery({ id: rand.int(0, 0xffff), name: rand.pick(names), type: rand.pick(["A", "AAAA", "MX", "TXT", "NS", "SOA"]), rd: rand.next() < 0.5, ednsUdpSize: rand.next() < 0.5 ? rand.int(0, 4096) : undefined }));
}

/** A copy of the datagram with its first two bytes (the ID, if it is a DNS message) set to `id`. */
function withId(bytes: Uint8Array, id: number): Uint8Array {
  const b = Buffer.from(bytes);
  if (b.length >= 2) b.writeUInt16BE(id, 0);
  return b;
}

/** One mutation of a valid query: flipped bytes, cut short, extended, or a byte range rewritten. */
function mutate(rand: Random, q: Uint8Array): Uint8Array {
  const b = Uint8Array.from(q);
  switch (rand.int(0, 4)) {
    case 0:
      for (let i = rand.int(1, 4); i > 0; i--) b[rand.int(0, b.length - 1)] = rand.int(0, 255);
      return b;
    case 1:
      return b.subarray(0, rand.int(0, b.length - 1));
    case 2:
      return Uint8Array.from([...b, ...rand.bytes(rand.int(1, 40))]);
    case 3: {
      // Header counts set to large values: the parser must not trust them.
      const v = Buffer.from(b);
      v.writeUInt16BE(rand.int(0, 0xffff), rand.pick([4, 6, 8, 10]));
      return v;
    }
    default: {
      // A label length or pointer somewhere in the name.
      const at = rand.int(12, Math.max(12, b.length - 5));
      b[at] = rand.pick([0xc0, 0xff, 0x3f, 0x40, 0x80, rand.int(0, 255)]);
      if (at + 1 < b.length) b[at + 1] = rand.int(0, 255);
      return b;
    }
  }
}

async function zoneAndServer(t: CaseContext, o: { tcp?: boolean } = {}): Promise<{ zone: TestZone; names: string[]; server: Program }> {
  const zone = new TestZone(t.rand);
  const names = [zone.origin, zone.name("www"), zone.name("mail"), zone.name("txt")];
  zone.add(names[1]!, "A", randomIpv4(t.rand)).add(names[2]!, "A", randomIpv4(t.rand)).add("@", "MX", `10 ${names[2]}`).add(names[3]!, "TXT", `"${t.rand.word()}"`);
  return { zone, names, server: await startWithZone(t, zone, [], o) };
}

/** Fails unless the server is still running and answers a well-formed query (a few tries: its receive buffer may have overflowed). */
async function expectStillAnswering(t: CaseContext, server: Program, zone: TestZone, after: string): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    if (server.process.exitCode !== null) t.fail({ message: `Your program exited (code ${server.process.exitCode}) after ${after}.`, hint: SURVIVE });
    const id = t.rand.int(1, 0xfffe);
    const reply = await udpExchange(t, server, buildQuery({ id, name: zone.origin, type: "SOA" }), { note: `a well-formed query after ${after}`, timeoutMs: 1000 });
    if (reply && reply.header.id === id) return;
  }
  t.fail({ message: `After ${after}, your program no longer answers a well-formed query (3 tries): it hangs or crashed.`, hint: SURVIVE });
}

const FORMERR = "A query whose question cannot be read whole — the message ends inside it, or the header counts more questions than follow — gets FORMERR (RFC 1035 §4.1.1): the 12-byte header alone, the query's ID, QR set, RCODE 1, every count 0. Check that each field's bytes are there before reading it; never fill in what is missing with zeros.";

/** Sends `query` (ID `id`), which cannot be parsed, and expects FORMERR: the header alone, with the query's ID. */
async function expectFormerr(t: CaseContext, server: Program, query: Uint8Array, id: number, what: string): Promise<void> {
  const reply = await udpExpectReply(t, server, query, { message: `No reply to ${what}: a query you cannot parse gets FORMERR.`, hint: FORMERR, note: what });
  const h = reply.header;
  t.expectEqual(`id ${h.id}, QR=${h.qr ? 1 : 0}, rcode ${RCODES[h.rcode] ?? h.rcode}`, `id ${id}, QR=1, rcode FORMERR`, { message: `Wrong reply to ${what} (${showHeader(h)}).`, hint: FORMERR });
  const counts = `QUERY ${h.qdcount}, ANSWER ${h.ancount}, AUTHORITY ${h.nscount}, ADDITIONAL ${h.arcount}; ${reply.bytes.length} bytes`;
  t.expectEqual(counts, "QUERY 0, ANSWER 0, AUTHORITY 0, ADDITIONAL 0; 12 bytes", { message: `The FORMERR reply to ${what} should be the header alone.`, hint: FORMERR });
}

export default stage(import.meta, [
  {
    name: "a query cut short in its question, or counting more questions than it holds, gets FORMERR",
    async run(t) {
      const { zone, server } = await zoneAndServer(t);
      const query = (id: number) => buildQuery({ id, name: zone.origin, type: "SOA", rd: false });
      // Cut after the name (no QTYPE and QCLASS), then inside QCLASS: a reader that pads with zeros answers them.
      const noType = t.rand.int(1, 0xfffe);
      await expectFormerr(t, server, query(noType).subarray(0, -4), noType, "a query that ends right after its question's name (no QTYPE, no QCLASS)");
      const halfClass = t.rand.int(1, 0xfffe);
      await expectFormerr(t, server, query(halfClass).subarray(0, -1), halfClass, "a query that ends inside its question's QCLASS (one byte of two)");
      // QDCOUNT 2, one question: the second question's name would start past the end.
      const two = t.rand.int(1, 0xfffe);
      const twoQuestions = Buffer.from(query(two));
      twoQuestions.writeUInt16BE(2, 4);
      await expectFormerr(t, server, twoQuestions, two, "a query whose header says QDCOUNT 2 but which holds one question");
      await expectStillAnswering(t, server, zone, "these queries");
    },
  },
  {
    name: "random datagrams never stop the server",
    async run(t) {
      const { zone, server } = await zoneAndServer(t);
      const packets = Array.from({ length: 1500 }, () => t.rand.bytes(t.rand.int(0, 120)));
      await udpBurst(t, server, packets, { what: "random datagrams", collectMs: 300, hint: SURVIVE });
      await expectStillAnswering(t, server, zone, "1500 random datagrams");
    },
  },
  {
    name: "mutated queries never stop the server, and every reply is well-formed",
    async run(t) {
      const { zone, names, server } = await zoneAndServer(t);
      const good = queries(t.rand, zone, names, 1500);
      const packets = good.map((q) => mutate(t.rand, q));
      const burst = await udpBurst(t, server, packets, { what: "mutated queries", collectMs: 500, hint: SURVIVE });
      for (const reply of burst.replies) {
        let problem: string | undefined;
        try {
          const m = readWireMessage(reply);
          if (!m.header.qr) problem = `QR is clear (${showHeader(m.header)})`;
        } catch (e) {
          problem = (e as Error).message;
        }
        if (problem) t.fail({ message: `One of your replies to the mutated queries is not a well-formed DNS response: ${problem}.`, detail: `reply: ${visible(reply)}`, hint: "Build every reply, FORMERR included, with the same encoder, and make its counts match the records written. Only answer messages that have QR clear." });
      }
      await expectStillAnswering(t, server, zone, "1500 mutated queries");
    },
  },
  {
    name: "well-formed queries mixed with garbage are all answered",
    async run(t) {
      const { zone, names, server } = await zoneAndServer(t);
      const good = queries(t.rand, zone, names, 100).map((q, i) => withId(q, i));
      // The garbage gets IDs of its own (1000+i, 2000+i), so an answer to it is never taken for the answer to query i.
      const mutated = (i: number) => withId(mutate(t.rand, good[i]!), 1000 + i);
      const random = (i: number) => withId(t.rand.bytes(t.rand.int(0, 60)), 2000 + i);
      // A query whose name is a pointer to itself: always read, always FORMERR.
      const loop = (i: number) => buildQuery({ id: 3000 + i, rawName: Uint8Array.from([0xc0, 0x0c]) });
      const burster = await UdpBurster.open(t, server);
      const answered = () => new Set(burster.replies.filter((r) => r.length >= 12 && (r[2]! & 0x80) !== 0 && (r[3]! & 0x0f) !== 1).map((r) => Buffer.from(r).readUInt16BE(0)));
      const missing = () => {
        const got = answered();
        return good.map((_, i) => i).filter((i) => !got.has(i));
      };
      const packets: Uint8Array[] = [];
      for (let i = 0; i < good.length; i++) packets.push(good[i]!, mutated(i), random(i));
      await burster.send(packets, { what: "datagrams: each well-formed query (IDs 0 to 99, QR clear) followed by a mutated copy and random bytes", hint: SURVIVE });
      await burster.settle({ quietMs: 500, maxMs: 3000, done: () => missing().length === 0 });
      const lost = missing();
      t.log.note(`${100 - lost.length} of the 100 well-formed queries answered`);
      // A datagram can be lost to a full receive buffer on a loaded machine: like a real client, ask again
      // (at most three times), each query right after a query with a pointer loop and before a mutated copy,
      // so a bad datagram must still not disturb the next.
      for (let attempt = 1; attempt <= 3 && missing().length > 0; attempt++) {
        const again = missing();
        const retry: Uint8Array[] = [];
        for (const i of again) retry.push(loop(i), good[i]!, mutated(i));
        await burster.send(retry, { what: `datagrams: try ${attempt + 1} for the ${again.length} unanswered queries, each after a query with a pointer loop (ID 3000+i) and before a mutated copy`, hint: SURVIVE });
        await burster.settle({ quietMs: 500, maxMs: 1500, done: () => missing().length === 0 });
      }
      const unanswered = missing();
      if (unanswered.length > 0) {
        t.fail({
          message: `${unanswered.length} of the 100 well-formed queries mixed with garbage got no answer (other than FORMERR) in 4 tries (IDs ${unanswered.slice(0, 10).join(", ")}${unanswered.length > 10 ? ", …" : ""}); ${lost.length} were unanswered after the first.`,
          hint: `A bad datagram must not disturb the next one: parse each one on its own, with no state left over from the last. ${SURVIVE}`,
        });
      }
    },
  },
  {
    name: "a message with QR set (a response) is never answered",
    async run(t) {
      const { zone, names, server } = await zoneAndServer(t);
      const burster = await UdpBurster.open(t, server);
      const NO_RESPONSES = "Drop every message with QR set: it is a response, not a query. Answering responses lets two servers (or a forged source address) keep each other talking forever (RFC 1035 §7.3 discards what cannot be used).";
      // A response, then a query: replies come in order, so once the query's has come, the response's would have too.
      const responseId = t.rand.int(0x8000, 0xbfff);
      const queryId = t.rand.int(0xc000, 0xfffe);
      const response = buildQuery({ id: responseId, name: t.rand.pick(names), type: "A", setBits: 0x8000 | 0x0400 });
      const query = buildQuery({ id: queryId, name: zone.origin, type: "SOA" });
      const has = (id: number) => burster.replies.some((r) => r.length >= 2 && Buffer.from(r).readUInt16BE(0) === id);
      for (let attempt = 1; attempt <= 3 && !has(queryId); attempt++) {
        await burster.send([response, query], { what: `datagrams: a response (QR set, ID ${responseId}), then a query (ID ${queryId})`, hint: NO_RESPONSES });
        await burster.settle({ quietMs: 1000, maxMs: 2000, done: () => has(queryId) });
      }
      if (!has(queryId)) t.fail({ message: `After a response (QR set), your program did not answer a well-formed query (3 tries).`, hint: NO_RESPONSES });
      if (has(responseId)) {
        const reply = burster.replies.find((r) => Buffer.from(r).readUInt16BE(0) === responseId)!;
        t.fail({ message: `Your program answered a message that has QR set (ID ${responseId}): a response, not a query.`, detail: `reply: ${visible(reply)}`, hint: NO_RESPONSES });
      }
    },
  },
  {
    name: "garbage and half messages over TCP never stop the server",
    async run(t) {
      const { zone, server } = await zoneAndServer(t, { tcp: true });
      const sent: string[] = [];
      const stillRunning = () => {
        const conns = sent.length === 1 ? "a TCP connection" : `${sent.length} TCP connections`;
        const after = sent.length === 0 ? "before the first TCP connection" : `after ${conns} that sent ${sent.join(", then ")} and closed`;
        if (server.process.exitCode !== null) t.fail({ message: `Your program exited (code ${server.process.exitCode}) ${after}.`, hint: TCP_SURVIVE });
      };
      for (let i = 0; i < 5; i++) {
        // A program that died of the previous connection's bytes refuses this one: say so, rather than "cannot connect".
        stillRunning();
        const conn = await TcpConnection.open({ host: server.host, port: server.port, log: t.log, name: `garbage connection ${i + 1}` }).catch(async (e: unknown) => {
          // Refused: most likely the program is dying of what the last connection sent (bounded wait for its exit).
          await Promise.race([server.process.exited, Bun.sleep(1000)]);
          stillRunning();
          throw e;
        });
        const junk = i % 2 === 0 ? t.rand.bytes(t.rand.int(1, 300)) : Uint8Array.from([0x01, 0x00, ...encodeName(zone.origin)]);
        sent.push(i % 2 === 0 ? `${junk.length} random bytes` : "half a message");
        await conn.send(junk);
        conn.close();
      }
      await Bun.sleep(100);
      stillRunning();
      await expectStillAnswering(t, server, zone, "five TCP connections that sent garbage or half a message and closed");
    },
  },
]);
