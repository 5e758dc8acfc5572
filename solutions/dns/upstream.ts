/**
 * Asking another server (RFC 1035 §7.2): each query gets a fresh random ID,
 * and only a reply from the server asked, with that ID and the same question,
 * is accepted (RFC 5452 §9). A truncated reply is asked again over TCP.
 */
import { CLASS_IN, decodeMessage, encodeMessage, OPCODE_QUERY, type Message, type Question } from "./message.ts";
import { lengthPrefixed } from "./server.ts";
import { nameKey } from "./wire.ts";

export interface Server {
  host: string;
  port: number;
}

export function parseServer(text: string): Server | undefined {
  const m = /^([\d.]+):(\d+)$/.exec(text);
  return m ? { host: m[1]!, port: Number(m[2]) } : undefined;
}

const TIMEOUT_MS = 2000;

function query(id: number, q: Question, rd: boolean): Uint8Array {
  return encodeMessage({
    header: { id, qr: false, opcode: OPCODE_QUERY, aa: false, tc: false, rd, ra: false, rcode: 0 },
    questions: [{ ...q, class: CLASS_IN }],
    answers: [],
    authority: [],
    additional: [],
    edns: { udpSize: 1232, extendedRcode: 0, version: 0, flags: 0 },
  });
}

export function matches(reply: Message, id: number, q: Question): boolean {
  const rq = reply.questions[0];
  return reply.header.qr && reply.header.id === id && rq !== undefined && nameKey(rq.name) === nameKey(q.name) && rq.type === q.type;
}

/** One query over TCP, bounded. */
async function overTcp(server: Server, id: number, q: Question, rd: boolean): Promise<Message> {
  const bytes = query(id, q, rd);
  const framed = new Uint8Array(2 + bytes.length);
  framed.set([bytes.length >> 8, bytes.length & 0xff]);
  framed.set(bytes, 2);
  return new Promise((resolve, reject) => {
    let pending: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => reject(new Error(`no reply over TCP from ${server.host}:${server.port}`)), TIMEOUT_MS);
    Bun.connect({
      hostname: server.host,
      port: server.port,
      socket: {
        open: (s) => void s.write(framed),
        data: (s, chunk) => {
          const { messages, rest } = lengthPrefixed(Buffer.concat([pending, chunk]));
          pending = rest;
          for (const m of messages) {
            const reply = decodeMessage(m);
            if (!matches(reply, id, q)) continue;
            clearTimeout(timer);
            s.end();
            resolve(reply);
          }
        },
        error: (_s, e) => reject(e),
        connectError: (_s, e) => reject(e),
      },
    }).catch(reject);
  });
}

/** Asks upstream servers over one UDP socket, matching replies to queries by ID and question. */
/** A query in flight: what was asked, of whom, and what to do with the reply. */
export interface Waiting {
  q: Question;
  server: Server;
  done: (m: Message) => void;
}

export class Upstream {
  private readonly waiting = new Map<number, Waiting>();
  private socket?: Bun.udp.Socket<"buffer">;

  private async open(): Promise<Bun.udp.Socket<"buffer">> {
    this.socket ??= await Bun.udpSocket({
      socket: {
        data: (_s, data, port, address) => {
          let reply: Message;
          try {
            reply = this.decode(data);
          } catch {
            return; // not a reply we can use
          }
          const w = this.waiting.get(reply.header.id);
          if (w && this.accepts(w, reply, port, address)) w.done(reply);
        },
        // An ICMP error for an earlier datagram (a server's port closed: ECONNREFUSED) comes back on the socket;
        // it must not end the process: the query it was for times out and gets SERVFAIL.
        error: (...args: unknown[]) => console.error(`upstream socket: ${args.filter((a) => a instanceof Error).map((a) => (a as Error).message).join("; ")}`),
      },
    });
    return this.socket;
  }

  /** A reply's message (a broken fixture reads it another way). */
  protected decode(bytes: Uint8Array): Message {
    return decodeMessage(bytes);
  }

  /** Only a reply from the server asked, with the ID and question sent (RFC 5452 §9.1). */
  protected accepts(w: Waiting, reply: Message, port: number, address: string): boolean {
    return w.server.port === port && w.server.host === address && matches(reply, reply.header.id, w.q);
  }

  /**
   * A random ID no query in flight uses (RFC 5452 §9.2: unpredictable). The
   * client's ID (when forwarding) is given only so a broken fixture can copy it.
   */
  protected freshId(_clientId?: number): number {
    for (;;) {
      const id = crypto.getRandomValues(new Uint16Array(1))[0]!;
      if (!this.waiting.has(id)) return id;
    }
  }

  /**
   * The server's reply to `q`, or an error after the time-out. RD is set
   * when asking a recursive server (forwarding), clear when asking an
   * authoritative one (iterating from the root). `clientId`: see freshId.
   */
  async ask(server: Server, q: Question, rd = true, clientId?: number): Promise<Message> {
    const socket = await this.open();
    const id = this.freshId(clientId);
    const reply = await new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`no reply from ${server.host}:${server.port}`));
      }, TIMEOUT_MS);
      this.waiting.set(id, {
        q,
        server,
        done: (m) => {
          clearTimeout(timer);
          this.waiting.delete(id);
          resolve(m);
        },
      });
      socket.send(query(id, q, rd), server.port, server.host);
    });
    return reply.header.tc ? overTcp(server, this.freshId(clientId), q, rd) : reply;
  }
}
