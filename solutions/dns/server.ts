/**
 * The transports: UDP, one query per datagram (RFC 1035 §4.2.1), and TCP,
 * each message prefixed with its length in two bytes, several per
 * connection (RFC 1035 §4.2.2, RFC 7766 §8), both on 127.0.0.1.
 */
import type { Socket } from "bun";
import { createSocket } from "node:dgram";
import { respond, defaultSteps, type Steps } from "./respond.ts";
import type { Zone } from "./zone.ts";

/** The UDP receive buffer asked for (the kernel caps it at net.core.rmem_max): about 4,000 queries' worth. */
const UDP_RECEIVE_BUFFER = 4 * 1024 * 1024;

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

/** A TCP connection's state: bytes read but not yet a whole message, and replies the socket has not taken yet. */
interface Connection {
  pending: Buffer;
  unsent: Uint8Array[];
}

export async function serve(o: ServerOptions): Promise<void> {
  const steps = o.steps ?? defaultSteps;
  const frames = o.frames ?? lengthPrefixed;
  const answer = async (bytes: Uint8Array, transport: "udp" | "tcp") => {
    try {
      return await respond(bytes, o.zone, transport, steps);
    } catch (e) {
      // A bug in answering one query must not take the server down.
      console.error(`error answering a query: ${(e as Error).stack ?? e}`);
      return undefined;
    }
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
          const { messages, rest } = frames(Buffer.concat([socket.data.pending, chunk]));
          socket.data.pending = rest;
          // Each message is answered as soon as its answer is ready (RFC 7766 §7: replies may come out of order).
          for (const message of messages) {
            void answer(message, "tcp").then((reply) => {
              if (!reply) return;
              const framed = Buffer.alloc(2 + reply.length);
              framed.writeUInt16BE(reply.length, 0);
              framed.set(reply, 2);
              send(socket, framed);
            });
          }
        },
      },
    });
  }

  // node:dgram rather than Bun.udpSocket: it can enlarge the receive buffer, so that a burst of
  // datagrams arriving while the server is busy waits in the kernel instead of being dropped.
  const udp = createSocket({ type: "udp4", recvBufferSize: UDP_RECEIVE_BUFFER });
  udp.on("message", (data, from) => {
    void answer(data, "udp").then((reply) => {
      if (reply) udp.send(reply, from.port, from.address);
    });
  });
  await new Promise<void>((resolve, reject) => {
    udp.once("error", reject);
    udp.bind(o.port, "127.0.0.1", () => {
      udp.off("error", reject);
      resolve();
    });
  });
  // An error on the socket (a reply the kernel could not deliver) must not end the server: an 'error' event without a listener would.
  udp.on("error", (e) => console.error(`UDP socket: ${e.message}`));
}
