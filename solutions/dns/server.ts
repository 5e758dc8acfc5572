/**
 * The transports: UDP, one query per datagram (RFC 1035 §4.2.1), and TCP,
 * each message prefixed with its length in two bytes, several per
 * connection (RFC 1035 §4.2.2, RFC 7766 §8), both on 127.0.0.1.
 */
import { respond, defaultSteps, type Steps } from "./respond.ts";
import type { Zone } from "./zone.ts";

export interface ServerOptions {
  port: number;
  zone: Zone;
  steps?: Steps;
  /** Also serve TCP (default true). */
  tcp?: boolean;
  /** Splits what a TCP connection has sent so far into messages (default: lengthPrefixed). */
  frames?: (pending: Buffer) => { messages: Uint8Array[]; rest: Buffer };
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

export async function serve(o: ServerOptions): Promise<void> {
  const steps = o.steps ?? defaultSteps;
  const frames = o.frames ?? lengthPrefixed;
  const answer = (bytes: Uint8Array, transport: "udp" | "tcp") => {
    try {
      return respond(bytes, o.zone, transport, steps);
    } catch (e) {
      // A bug in answering one query must not take the server down.
      console.error(`error answering a query: ${(e as Error).stack ?? e}`);
      return undefined;
    }
  };

  await Bun.udpSocket({
    hostname: "127.0.0.1",
    port: o.port,
    socket: {
      data(socket, data, port, address) {
        const reply = answer(data, "udp");
        if (reply) socket.send(reply, port, address);
      },
    },
  });

  if (o.tcp === false) return;
  Bun.listen<{ pending: Buffer }>({
    hostname: "127.0.0.1",
    port: o.port,
    data: { pending: Buffer.alloc(0) },
    socket: {
      open(socket) {
        socket.data = { pending: Buffer.alloc(0) };
      },
      data(socket, chunk) {
        const { messages, rest } = frames(Buffer.concat([socket.data.pending, chunk]));
        for (const message of messages) {
          const reply = answer(message, "tcp");
          if (!reply) continue;
          const framed = Buffer.alloc(2 + reply.length);
          framed.writeUInt16BE(reply.length, 0);
          framed.set(reply, 2);
          socket.write(framed);
        }
        socket.data.pending = rest;
      },
    },
  });
}
