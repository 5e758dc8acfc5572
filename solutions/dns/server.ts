/**
 * The transports: UDP, one query per datagram (RFC 1035 §4.2.1), and TCP,
 * each message prefixed with its length in two bytes, several per
 * connection (RFC 1035 §4.2.2, RFC 7766 §8), both on 127.0.0.1.
 */
import type { Socket } from "bun";
import { dlopen } from "bun:ffi";
import { ReplyCache } from "./reply-cache.ts";
import { respond, defaultSteps, type Steps } from "./respond.ts";
import type { Zone } from "./zone.ts";

/** The UDP receive buffer asked for (the kernel caps it at net.core.rmem_max): about 4,000 queries' worth. */
const UDP_RECEIVE_BUFFER = 4 * 1024 * 1024;
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;

/**
 * Asks for a bigger receive buffer on a socket (setsockopt SO_RCVBUF, socket(7)), so that a burst of
 * datagrams arriving while the server is busy waits in the kernel instead of being dropped.
 * Bun.udpSocket has no option for it; its socket's descriptor is there at run time.
 */
function enlargeReceiveBuffer(socket: object, bytes: number): void {
  const fd = (socket as { fd?: unknown }).fd;
  if (typeof fd !== "number") return void console.error("UDP socket: no descriptor to enlarge the receive buffer of");
  const { symbols } = dlopen("libc.so.6", { setsockopt: { args: ["i32", "i32", "i32", "ptr", "u32"], returns: "i32" } });
  if (symbols.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, new Int32Array([bytes]), 4) !== 0) console.error("UDP socket: setsockopt(SO_RCVBUF) failed");
}

export interface ServerOptions {
  port: number;
  zone: Zone;
  steps?: Steps;
  /** Also serve TCP (default true). */
  tcp?: boolean;
  /** Splits what a TCP connection has sent so far into messages (default: lengthPrefixed). */
  frames?: (pending: Buffer) => { messages: Uint8Array[]; rest: Buffer };
  /** Answer a query seen before from its earlier reply (reply-cache.ts); only for the default steps without recursion. */
  replyCache?: boolean;
}

/** Every complete length-prefixed message in the bytes read so far, and the incomplete rest to keep for the next read. */
export function lengthPrefixed(pending: Buffer): { messages: Uint8Array[]; rest: Buffer } {
  const messages: Uint8Array[] = [];
  let at = 0;
  while (pending.length - at >= 2 && pending.length - at >= 2 + pending.readUInt16BE(at)) {
    const length = pending.readUInt16BE(at);
    messages.push(pending.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return { messages, rest: pending.subarray(at) };
}

/** A TCP connection's state: bytes read but not yet a whole message, and replies the socket has not taken yet. */
interface Connection {
  pending: Buffer;
  unsent: Uint8Array[];
}

export async function serve(o: ServerOptions): Promise<void> {
  const steps = o.steps ?? defaultSteps;
  const frames = o.frames ?? lengthPrefixed;
  const cache = o.replyCache ? new ReplyCache() : undefined;
  const answer = async (bytes: Uint8Array, transport: "udp" | "tcp", key: string | undefined) => {
    try {
      const reply = await respond(bytes, o.zone, transport, steps);
      if (reply && key !== undefined) cache!.set(key, reply);
      return reply;
    } catch (e) {
      // A bug in answering one query must not take the server down.
      console.error(`error answering a query: ${(e as Error).stack ?? e}`);
      return undefined;
    }
  };
  /** The reply at once when the cache has it (`undefined`, the key to store the reply under, when not). */
  const cached = (bytes: Uint8Array, transport: "udp" | "tcp"): Uint8Array | string | undefined => {
    if (!cache || bytes.length < 12) return undefined;
    const key = ReplyCache.key(transport, bytes);
    return cache.get(key, bytes) ?? key;
  };

  // TCP first: the harness (and a client) takes the UDP port to mean the server is up, so TCP must be there by then.
  if (o.tcp !== false) {
    /** Writes what the socket takes now and keeps the rest, in order, for `drain`. */
    const send = (socket: Socket<Connection>, bytes: Uint8Array) => {
      const { unsent } = socket.data;
      if (unsent.length === 0) {
        const n = socket.write(bytes);
        if (n < bytes.length) unsent.push(bytes.subarray(Math.max(0, n)));
      } else unsent.push(bytes);
    };
    const framed = (replies: Uint8Array[]) => {
      const out = Buffer.allocUnsafe(replies.reduce((n, r) => n + 2 + r.length, 0));
      let at = 0;
      for (const reply of replies) {
        out.writeUInt16BE(reply.length, at);
        out.set(reply, at + 2);
        at += 2 + reply.length;
      }
      return out;
    };
    Bun.listen<Connection>({
      hostname: "127.0.0.1",
      port: o.port,
      data: { pending: Buffer.alloc(0), unsent: [] },
      socket: {
        open(socket) {
          socket.data = { pending: Buffer.alloc(0), unsent: [] };
        },
        drain(socket) {
          const { unsent } = socket.data;
          while (unsent.length > 0) {
            const head = unsent[0]!;
            const n = socket.write(head);
            if (n < head.length) {
              unsent[0] = head.subarray(Math.max(0, n));
              return;
            }
            unsent.shift();
          }
        },
        data(socket, chunk) {
          const { messages, rest } = frames(socket.data.pending.length === 0 ? chunk : Buffer.concat([socket.data.pending, chunk]));
          // What is kept must not be a view of the chunk: the runtime may reuse its memory for the next read.
          socket.data.pending = rest.length === 0 ? Buffer.alloc(0) : Buffer.from(rest);
          // Replies the cache has go out together, in one write; the others as soon as each is ready (RFC 7766 §7: replies may come out of order).
          const ready: Uint8Array[] = [];
          for (const message of messages) {
            const hit = cached(message, "tcp");
            if (hit instanceof Uint8Array) ready.push(hit);
            else
              void answer(message, "tcp", hit).then((reply) => {
                if (reply) send(socket, framed([reply]));
              });
          }
          if (ready.length > 0) send(socket, framed(ready));
        },
      },
    });
  }

  // Replies made in one turn of the event loop (a batch of datagrams read) go out together, in one sendmmsg, at its end
  // (setImmediate: a microtask would run after each datagram's callback, one sendmmsg per reply).
  const outbox: (Uint8Array | number | string)[] = [];
  let flushing = false;
  const flush = () => {
    flushing = false;
    if (outbox.length === 0) return;
    let sent = 0;
    try {
      sent = udp.sendMany(outbox) * 3;
    } catch (e) {
      console.error(`UDP socket: ${(e as Error).message}`);
      sent = outbox.length;
    }
    outbox.splice(0, sent);
    // The socket took only part (its send buffer is full): the rest goes on drain, or in a millisecond.
    if (outbox.length > 0) {
      flushing = true;
      setTimeout(flush, 1);
    }
  };
  const sendUdp = (reply: Uint8Array, port: number, address: string) => {
    outbox.push(reply, port, address);
    if (!flushing) {
      flushing = true;
      setImmediate(flush);
    }
  };
  // Bun.udpSocket reads datagrams in batches (recvmmsg) and sends them in batches (sendMany).
  const udp = await Bun.udpSocket({
    hostname: "127.0.0.1",
    port: o.port,
    socket: {
      data(_socket, data, port, address) {
        const hit = cached(data, "udp");
        if (hit instanceof Uint8Array) return sendUdp(hit, port, address);
        void answer(data, "udp", hit).then((reply) => {
          if (reply) sendUdp(reply, port, address);
        });
      },
      drain() {
        if (outbox.length > 0) flush();
      },
      // An error on the socket (a reply the kernel could not deliver) must not end the server.
      error(_socket, e) {
        console.error(`UDP socket: ${e.message}`);
      },
    },
  });
  enlargeReceiveBuffer(udp, UDP_RECEIVE_BUFFER);
}
