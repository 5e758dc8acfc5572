/**
 * From a query's bytes to the reply's bytes (RFC 1035 §4.1.1): the reply
 * carries the query's ID, opcode and RD bit with QR set; malformed queries
 * get FORMERR, other opcodes NOTIMP; EDNS(0) (RFC 6891) sets the UDP size,
 * and a reply too big for it is truncated (TC) so the client retries over TCP.
 */
import { answer as answerFromZone, type Answer } from "./authority.ts";
import { decodeMessage, encodeMessage, OPCODE_QUERY, RCODE, readHeader, type Header, type Message, type Question } from "./message.ts";
import { FormatError, Reader } from "./wire.ts";
import type { Zone } from "./zone.ts";

/** The UDP payload size this server offers in its OPT record (the DNS flag day 2020 value). */
export const OUR_UDP_SIZE = 1232;
/** Without EDNS, a UDP message is at most 512 bytes (RFC 1035 §4.2.1). */
export const PLAIN_UDP_LIMIT = 512;
/** A TCP message's length is a 16-bit number (RFC 1035 §4.2.2): no other limit. */
const TCP_LIMIT = 65535;

/** The steps of answering a query, each replaceable (the broken fixtures change one). */
export interface Steps {
  decode(bytes: Uint8Array): Message;
  /** The reply's header from the query's: same ID, opcode and RD; QR set. */
  replyHeader(query: Header, rcode: number): Header;
  answer(zone: Zone, q: Question): Answer;
  encode(m: Message): Uint8Array;
  /** The largest UDP reply the client accepts: 512, or its EDNS size. */
  udpLimit(query: Message): number;
  /** The largest TCP reply: 65535, whatever the query's EDNS size. */
  tcpLimit(query: Message): number;
  /** Makes the reply fit in `limit` bytes (truncating it as RFC 2181 §9 says). */
  fit(steps: Steps, m: Message, limit: number): Uint8Array;
  /** Whether messages with QR set (responses) are dropped unanswered. */
  dropResponses: boolean;
  /** Whether the reply to an EDNS query carries an OPT record. */
  ednsReply: boolean;
  /**
   * Answers a question outside the zone (a resolver); without it such questions are REFUSED.
   * `clientId` is the query's ID: the reference never sends it upstream (a broken fixture does).
   */
  recurse?: (q: Question, clientId: number) => Promise<Answer>;
}

export const defaultSteps: Steps = {
  decode: decodeMessage,
  replyHeader: (q, rcode) => ({ id: q.id, qr: true, opcode: q.opcode, aa: false, tc: false, rd: q.rd, ra: false, rcode }),
  answer: answerFromZone,
  encode: (m) => encodeMessage(m),
  udpLimit: (q) => (q.edns ? Math.max(PLAIN_UDP_LIMIT, Math.min(q.edns.udpSize, OUR_UDP_SIZE)) : PLAIN_UDP_LIMIT),
  tcpLimit: () => TCP_LIMIT,
  fit: (steps, m, limit) => fit(steps, m, limit),
  dropResponses: true,
  ednsReply: true,
};

export type Transport = "udp" | "tcp";

function headerOnly(steps: Steps, query: Header, rcode: number): Message {
  return { header: steps.replyHeader(query, rcode), questions: [], answers: [], authority: [], additional: [] };
}

/**
 * Encodes within `limit` bytes: first whole; then without the additional
 * section (RFC 2181 §9: no TC needed for that); else with TC set and no records.
 */
export function fit(steps: Steps, m: Message, limit: number): Uint8Array {
  const whole = steps.encode(m);
  if (whole.length <= limit) return whole;
  const lean = steps.encode({ ...m, additional: [] });
  if (lean.length <= limit) return lean;
  return steps.encode({ ...m, header: { ...m.header, tc: true }, answers: [], authority: [], additional: [] });
}

/** The reply to one query, or undefined when there must be none (not even a header to answer, or a response). */
export async function respond(bytes: Uint8Array, zone: Zone, transport: Transport, steps: Steps = defaultSteps): Promise<Uint8Array | undefined> {
  if (bytes.length < 12) return undefined;
  const header = readHeader(new Reader(bytes));
  // Never answer a response (QR set): two servers would answer each other forever.
  if (header.qr && steps.dropResponses) return undefined;
  let query: Message;
  try {
    query = steps.decode(bytes);
  } catch (e) {
    if (e instanceof FormatError) return steps.encode(headerOnly(steps, header, RCODE.FORMERR));
    throw e;
  }
  if (header.opcode !== OPCODE_QUERY) return steps.encode(headerOnly(steps, header, RCODE.NOTIMP));
  const q = query.questions[0];
  if (!q || query.questions.length !== 1) return steps.encode(headerOnly(steps, header, RCODE.FORMERR));
  const edns = query.edns && steps.ednsReply ? { udpSize: OUR_UDP_SIZE, extendedRcode: 0, version: 0, flags: 0 } : undefined;
  // RFC 6891 §6.1.3: a version this server does not implement gets BADVERS.
  if (query.edns && query.edns.version !== 0) return steps.encode({ ...headerOnly(steps, header, RCODE.BADVERS), questions: [q], edns });
  let a = steps.answer(zone, q);
  if (a.rcode === RCODE.REFUSED && steps.recurse) a = await steps.recurse(q, header.id);
  const reply: Message = {
    // RA tells the client whether this server recurses (RFC 1035 §4.1.1).
    header: { ...steps.replyHeader(header, a.rcode), aa: a.aa, ra: steps.recurse !== undefined },
    questions: [q],
    answers: a.answers,
    authority: a.authority,
    additional: a.additional,
    edns,
  };
  return steps.fit(steps, reply, transport === "tcp" ? steps.tcpLimit(query) : steps.udpLimit(query));
}
