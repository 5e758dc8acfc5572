import { arp, ethernet, ETHERTYPE, ipv4, IPPROTO, tcp, udp, type TcpFlag } from "../../harness/netns/frames.ts";
import type { Random } from "../../harness/random.ts";
import { stage } from "../../harness/stage/define.ts";
import { expectTcpdumpLines, randomIp, randomMac } from "./sniff.ts";

/** One side of a TCP conversation between a random client port and `serverPort`; each segment carries `payload`. */
function conversation(rand: Random, serverPort: number) {
  const [client, server] = [randomIp(rand), randomIp(rand)];
  const [cmac, smac] = [randomMac(rand), randomMac(rand)];
  const cport = rand.int(33000, 48000);
  const [cseq, sseq] = [rand.int(0, 2 ** 31), rand.int(0, 2 ** 31)];
  const segment = (fromClient: boolean, payload: string | Uint8Array, flags: TcpFlag[] = ["psh", "ack"]) => {
    const [src, dst, sp, dp] = fromClient ? [client, server, cport, serverPort] : [server, client, serverPort, cport];
    const data = typeof payload === "string" ? Buffer.from(payload, "latin1") : Buffer.from(payload);
    const t = tcp({ src, dst, srcPort: sp, dstPort: dp, seq: fromClient ? cseq : sseq, ack: fromClient ? sseq : cseq, flags, payload: data });
    return ethernet(fromClient ? smac : cmac, fromClient ? cmac : smac, ETHERTYPE.ipv4, ipv4({ src, dst, protocol: IPPROTO.tcp, payload: t }));
  };
  return { request: (p: string | Uint8Array) => segment(true, p), response: (p: string | Uint8Array) => segment(false, p), ack: () => segment(true, "", ["ack"]) };
}

const path = (rand: Random) => `/${rand.word()}/${rand.word()}.html`;
const host = (rand: Random) => `${rand.word()}.example`;

const HTTP = 'tcpdump decodes a TCP payload on port 80 or 8080 (source or destination) as HTTP: after "length <n>" it prints ": HTTP", then, when the payload starts with a request line (its first word a method tcpdump knows, GET, HEAD, POST, PUT, DELETE, OPTIONS, TRACE, CONNECT and WebDAV\'s, in any case) or a status line (its second word 3 digits), ": " and that first line, without its CR LF (or LF).';

export default stage(import.meta, [
  {
    name: "a request or status line on port 80 or 8080 is printed after HTTP:",
    async run(t) {
      const web = conversation(t.rand, 80);
      const alt = conversation(t.rand, 8080);
      const frames = [
        web.request(`GET ${path(t.rand)} HTTP/1.1\r\nHost: ${host(t.rand)}\r\nAccept: */*\r\n\r\n`),
        web.response(`HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/html\r\n\r\n${t.rand.word().slice(0, 5).padEnd(5, "x")}`),
        alt.request(`POST ${path(t.rand)} HTTP/1.0\r\nContent-Length: 0\r\n\r\n`),
        alt.response(`HTTP/1.0 ${t.rand.int(300, 599)} ${t.rand.word()}\n\n`),
        web.request(`head ${path(t.rand)} HTTP/1.1\r\n\r\n`),
        web.request(`DELETE ${path(t.rand)}\tHTTP/1.1\r\n\r\n`),
      ];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "HTTP requests and responses on ports 80 and 8080", allLines: true }, "Your lines for HTTP requests and responses differ from tcpdump's.", `${HTTP} The method is compared without regard to case (head is HEAD); a tab inside the line is printed as it is.`);
    },
  },
  {
    name: "other payloads on an HTTP port print HTTP alone",
    async run(t) {
      const web = conversation(t.rand, 80);
      const frames = [
        web.request(`${t.rand.word().toUpperCase()}X ${path(t.rand)} HTTP/1.1\r\n\r\n`),
        web.response(`<html><body>${t.rand.word()}</body></html>\r\n`),
        web.request(` GET ${path(t.rand)} HTTP/1.1\r\n\r\n`),
        web.request(Buffer.concat([Buffer.from(`GET ${path(t.rand)}`), Buffer.from([0x01, 0xc3, 0xa9]), Buffer.from(" HTTP/1.1\r\n\r\n")])),
        web.request(`GET ${path(t.rand)} HTTP/1.1\r${t.rand.word()}\n\n`),
        web.response(`HTTP/1.1 ${t.rand.int(1000, 9999)} OK\r\n\r\n`),
        web.ack(),
      ];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "payloads on port 80 that are not request or status lines, and an empty ACK", allLines: true }, "Your lines for payloads on an HTTP port that are not request or status lines differ from tcpdump's.", `${HTTP} Anything else prints ": HTTP" alone: an unknown first word, a body without a request line, a line starting with a space, a first line holding a byte that is not printable ASCII (a tab aside) or a CR not followed by LF, a status code of 4 digits. A segment without payload is not decoded at all.`);
    },
  },
  {
    name: "a first line the payload cuts before its end is printed with [|http]",
    async run(t) {
      const web = conversation(t.rand, 80);
      const frames = [web.request(`GET ${path(t.rand)} HTTP/1.1\r\nHost: ${host(t.rand)}\r\n\r\n`), web.request(`GET ${path(t.rand)}?q=${t.rand.word()}`), web.response(`HTTP/1.1 200 ${t.rand.word()}`)];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "HTTP request and status lines cut before their CR LF", allLines: true }, "Your lines for HTTP lines cut before their end differ from tcpdump's.", `${HTTP} When the payload ends before the first line's CR LF (or LF), tcpdump prints what there is of the line, then " [|http]".`);
    },
  },
  {
    name: "only ports 80 and 8080 are decoded as HTTP",
    async run(t) {
      const other = conversation(t.rand, t.rand.int(50000, 60000));
      const squid = conversation(t.rand, 3128);
      const web = conversation(t.rand, 8080);
      const frames = [other.request(`GET ${path(t.rand)} HTTP/1.1\r\n\r\n`), squid.request(`GET http://${host(t.rand)}/ HTTP/1.1\r\n\r\n`), other.response("HTTP/1.1 200 OK\r\n\r\n"), web.request(`GET ${path(t.rand)} HTTP/1.1\r\n\r\n`)];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "HTTP requests to a random port, to 3128 and to 8080", allLines: true }, "Your lines for HTTP-looking segments differ from tcpdump's.", `${HTTP} It goes by the port, not by the bytes: the same request to any other port (3128, a proxy's, included) is just "length <n>".`);
    },
  },
  {
    name: "-A prints each packet after the link-level header as text",
    async run(t) {
      const web = conversation(t.rand, 80);
      const word = t.rand.word();
      const binary = Buffer.from([0x41, 0x0d, 0x42, 0x09, 0x43, 0x00, 0x7f, 0x80, 0xff, 0x20, 0x0d, 0x0d, 0x0a, ...Buffer.from(word), 0x0d, 0x0a, 0x7e, 0x21, 0x0d, 0x5a]);
      const [mac, ip] = [randomMac(t.rand), randomIp(t.rand)];
      const frames = [
        web.request(`GET ${path(t.rand)} HTTP/1.1\r\nHost: ${host(t.rand)}\r\n\r\n`),
        web.response(binary),
        web.response(`${word}\r`),
        web.ack(),
        ethernet("ff:ff:ff:ff:ff:ff", mac, ETHERTYPE.arp, arp({ op: "request", senderMac: mac, senderIp: ip, targetMac: "00:00:00:00:00:00", targetIp: randomIp(t.rand) })),
        ethernet(randomMac(t.rand), mac, ETHERTYPE.ipv4, ipv4({ src: ip, dst: randomIp(t.rand), protocol: IPPROTO.udp, payload: udp(ip, randomIp(t.rand), t.rand.int(33000, 48000), t.rand.int(50000, 60000), Buffer.from(`${word}\n\t${word}`)) })),
      ].map((f) => (f.length < 60 ? Buffer.concat([f, Buffer.from(t.rand.bytes(60 - f.length))]) : f));
      await expectTcpdumpLines(
        t,
        { flags: ["-n", "-A"], frames, what: "HTTP, bytes of every kind, CRs in several places, an ACK and an ARP request padded to 60 bytes, a UDP datagram", allLines: true },
        "Your -A output differs from tcpdump's.",
        'With -A, after each packet line tcpdump prints a newline, then every byte after the 14-byte Ethernet header (padding included) as a character: 0x21-0x7e, space, tab and LF as they are, any other byte as "."; a CR is left out when a LF follows it, and when it is one of the last two bytes; elsewhere it is a ".". The packet line is unchanged (the HTTP line too).',
      );
    },
  },
]);
