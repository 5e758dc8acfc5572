// The Pub/Sub registry (https://redis.io/docs/latest/develop/interactions/pubsub/):
// which clients are subscribed to which channels and glob patterns, and
// delivering a published message to each of them.
//
// A message goes first to the channel's subscribers, in the order they
// subscribed, then to every client whose pattern matches, pattern by
// pattern in the order the patterns were first subscribed. A client that
// matches both ways (or through several patterns) gets one message per
// match, and PUBLISH counts every delivery.
//
// Channels and patterns are byte strings (one char per byte, see text.ts);
// the clients' own sets (ClientState.channels/patterns) mirror this registry.

import type { ClientState } from "./client.ts";
import { compileGlob, type Matcher } from "./glob.ts";
import { bulk, bulkBinary, push, type Reply } from "./reply.ts";

const MESSAGE = bulkBinary("message");
const PMESSAGE = bulkBinary("pmessage");

interface PatternSubscribers {
  readonly match: Matcher;
  readonly clients: Set<ClientState>;
}

export class PubSub {
  private readonly channels = new Map<string, Set<ClientState>>();
  private readonly patterns = new Map<string, PatternSubscribers>();

  /** Subscribes `client` to `channel`; false if it already was. */
  subscribe(client: ClientState, channel: string): boolean {
    if (client.channels.has(channel)) return false;
    client.channels.add(channel);
    let clients = this.channels.get(channel);
    if (clients === undefined) this.channels.set(channel, (clients = new Set()));
    clients.add(client);
    return true;
  }

  /** Unsubscribes `client` from `channel`; false if it was not subscribed. */
  unsubscribe(client: ClientState, channel: string): boolean {
    if (!client.channels.delete(channel)) return false;
    const clients = this.channels.get(channel);
    clients?.delete(client);
    if (clients?.size === 0) this.channels.delete(channel);
    return true;
  }

  psubscribe(client: ClientState, pattern: string): boolean {
    if (client.patterns.has(pattern)) return false;
    client.patterns.add(pattern);
    let subs = this.patterns.get(pattern);
    if (subs === undefined) this.patterns.set(pattern, (subs = { match: compileGlob(pattern), clients: new Set() }));
    subs.clients.add(client);
    return true;
  }

  punsubscribe(client: ClientState, pattern: string): boolean {
    if (!client.patterns.delete(pattern)) return false;
    const subs = this.patterns.get(pattern);
    subs?.clients.delete(client);
    if (subs?.clients.size === 0) this.patterns.delete(pattern);
    return true;
  }

  /** Forgets a client that disconnected. */
  removeClient(client: ClientState): void {
    for (const channel of [...client.channels]) this.unsubscribe(client, channel);
    for (const pattern of [...client.patterns]) this.punsubscribe(client, pattern);
  }

  /** Delivers `message` to every subscriber of `channel`; returns how many deliveries were made. */
  publish(channel: string, message: Uint8Array): number {
    let receivers = 0;
    const name = bulkBinary(channel);
    const payload = bulk(message);
    const clients = this.channels.get(channel);
    if (clients !== undefined) {
      const reply = push([MESSAGE, name, payload]);
      for (const client of clients) {
        client.deliver(reply);
        receivers++;
      }
    }
    for (const [pattern, subs] of this.patterns) {
      if (!subs.match(channel)) continue;
      const reply: Reply = push([PMESSAGE, bulkBinary(pattern), name, payload]);
      for (const client of subs.clients) {
        client.deliver(reply);
        receivers++;
      }
    }
    return receivers;
  }

  /** Channels with at least one subscriber, optionally only those matching a glob (PUBSUB CHANNELS). */
  activeChannels(pattern?: string): string[] {
    const match = pattern === undefined ? () => true : compileGlob(pattern);
    return [...this.channels.keys()].filter((c) => match(c));
  }

  /** The clients subscribed to `channel`, in the order they subscribed. */
  subscribersOf(channel: string): ClientState[] {
    return [...(this.channels.get(channel) ?? [])];
  }

  /** Subscribers of `channel`, patterns not counted (PUBSUB NUMSUB). */
  subscriberCount(channel: string): number {
    return this.channels.get(channel)?.size ?? 0;
  }

  /** Distinct patterns subscribed to by any client (PUBSUB NUMPAT). */
  get patternCount(): number {
    return this.patterns.size;
  }
}
