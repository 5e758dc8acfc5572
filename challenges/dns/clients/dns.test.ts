import { expect, test } from "bun:test";
import { Random } from "../../../harness/random.ts";
import { selfTests } from "../../../harness/self-test.ts";
import { parseDig, showRecord } from "./dns.ts";
import { buildQuery, encodeName, framed, readWireHeader, readWireMessage, readWireName } from "./dns-wire.ts";
import { TestZone } from "./dns-zone.ts";

const DIG = `
; <<>> DiG 9.18.49-1~deb12u1-Debian <<>> @127.0.0.1 -p 5398 cherry452.test. NS +norec
;; global options: +cmd
;; Got answer:
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 52284
;; flags: qr aa; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 2

;; OPT PSEUDOSECTION:
; EDNS: version: 0, flags:; udp: 1232
;; QUESTION SECTION:
;cherry452.test.			IN	NS

;; ANSWER SECTION:
cherry452.test.		86400	IN	NS	ns1.cherry452.test.
cherry452.test.		86400	IN	NS	ns.coconut.example.

;; ADDITIONAL SECTION:
ns2-2248.cherry452.test. 86400	IN	A	10.152.98.54
txt.cherry452.test.	300	IN	TXT	"hello world" "second"

;; Query time: 8 msec
;; SERVER: 127.0.0.1#5398(127.0.0.1) (UDP)
;; MSG SIZE  rcvd: 176
`;

selfTests("the harness's DNS clients", () => {
  test("parses dig's header, flags, EDNS line and sections", () => {
    const r = parseDig("dig …", DIG);
    expect(r).toMatchObject({ ok: true, opcode: "QUERY", status: "NOERROR", id: 52284, edns: { version: 0, udp: 1232 }, size: 176, transport: "UDP" });
    expect([...r.flags]).toEqual(["qr", "aa"]);
    expect(r.counts).toEqual({ query: 1, answer: 2, authority: 0, additional: 2 });
    expect(r.question).toEqual([{ name: "cherry452.test.", class: "IN", type: "NS" }]);
    expect(r.answer.map(showRecord)).toEqual(["cherry452.test. 86400 IN NS ns1.cherry452.test.", "cherry452.test. 86400 IN NS ns.coconut.example."]);
    // dig separates a name that fills its column with a space, not a tab; TXT data keeps its spaces.
    expect(r.additional.map(showRecord)).toEqual(["ns2-2248.cherry452.test. 86400 IN A 10.152.98.54", 'txt.cherry452.test. 300 IN TXT "hello world" "second"']);
  });

  test("a dig run without a reply is not ok, and keeps dig's complaint", () => {
    const r = parseDig("dig …", ";; Warning: ID mismatch: expected ID 62541, got 0\n;; communications error to 127.0.0.1#5398: timed out\n");
    expect(r.ok).toBe(false);
    expect(r.problem).toBe("Warning: ID mismatch: expected ID 62541, got 0");
  });

  test("builds queries and reads replies, following compression pointers", () => {
    const q = buildQuery({ id: 0x1234, name: "www.example.test", type: "MX", rd: false, ednsUdpSize: 1232 });
    expect(readWireHeader(q)).toMatchObject({ id: 0x1234, qr: false, rd: false, qdcount: 1, arcount: 1 });
    // A reply: the question, then an MX record whose owner is a pointer to it and whose exchange ends with one.
    const reply = Buffer.concat([
      Buffer.from([0x12, 0x34, 0x84, 0x00, 0, 1, 0, 1, 0, 0, 0, 0]),
      encodeName("example.test"),
      Buffer.from([0, 15, 0, 1]),
      Buffer.from([0xc0, 12, 0, 15, 0, 1, 0, 0, 0x0e, 0x10, 0, 9, 0, 10, 4, ...Buffer.from("mail"), 0xc0, 12]),
    ]);
    const m = readWireMessage(reply);
    expect(m.header).toMatchObject({ qr: true, aa: true, ancount: 1 });
    expect(m.records[0]).toMatchObject({ type: 15, ttl: 3600, owner: { name: "example.test.", size: 2, compressed: true } });
    expect(m.records[0]!.dataNames[0]).toMatchObject({ name: "mail.example.test.", size: 7, compressed: true });
    expect(readWireName(reply, 12)).toMatchObject({ name: "example.test.", compressed: false, size: 14 });
  });

  test("a pointer loop in a reply is an error, not a hang", () => {
    const loop = Buffer.from([0, 0, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    expect(() => readWireMessage(loop)).toThrow("pointer loop");
  });

  test("frames TCP messages with their length", () => {
    expect([...framed(Uint8Array.from([1, 2, 3]))]).toEqual([0, 3, 1, 2, 3]);
  });

  test("test zones are master files with $ORIGIN and $TTL, and know dig's view of each RRset", () => {
    const zone = new TestZone(new Random("1"));
    const www = zone.name("www");
    zone.add(www, "A", "10.0.0.1", 300).add(www, "A", "10.0.0.2");
    const text = zone.text();
    expect(text).toContain(`$ORIGIN ${zone.origin}`);
    expect(text).toContain(`$TTL ${zone.defaultTtl}`);
    // The RRset's TTL is the first record's, for every record of it.
    expect(zone.rrset(www, "A")).toEqual([`${www} 300 IN A 10.0.0.1`, `${www} 300 IN A 10.0.0.2`]);
    expect(zone.negativeSoa()).toMatch(new RegExp(`^${zone.origin.replaceAll(".", "\\.")} ${Math.min(3600, zone.soa.minimum)} IN SOA `));
  });
});
