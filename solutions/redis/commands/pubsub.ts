// Pub/Sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB.
// https://redis.io/docs/latest/develop/interactions/pubsub/
//
// Each (un)subscription is confirmed by its own reply, a three-element array
// [kind, channel or pattern, number of channels and patterns the client is
// now subscribed to]; SUBSCRIBE a b therefore answers with two replies
// (many()). Messages for other clients go through client.deliver (pubsub.ts).
// While a client has a subscription, dispatch (index.ts) refuses every
// command except these, PING, QUIT and RESET.

import type { ClientState } from "../client.ts";
import { array, bulkBinary, error, integer, NULL_BULK, many, push, type Reply } from "../reply.ts";
import type { CommandContext } from "./types.ts";
import type { CommandDefinition } from "./define.ts";
import { keyOf } from "./helpers.ts";

type Kind = "subscribe" | "unsubscribe" | "psubscribe" | "punsubscribe";

function confirmation(kind: Kind, client: ClientState, name: string | null): Reply {
  const count = client.channels.size + client.patterns.size;
  return push([bulkBinary(kind), name === null ? NULL_BULK : bulkBinary(name), integer(count)]);
}

/** SUBSCRIBE / PSUBSCRIBE: one confirmation per argument, repeated ones included. */
function subscribeAll(ctx: CommandContext, argv: Buffer[], kind: "subscribe" | "psubscribe"): Reply {
  const { pubsub } = ctx.server;
  return many(
    argv.slice(1).map((arg) => {
      const name = keyOf(arg);
      if (kind === "subscribe") pubsub.subscribe(ctx.client, name);
      else pubsub.psubscribe(ctx.client, name);
      return confirmation(kind, ctx.client, name);
    }),
  );
}

/**
 * UNSUBSCRIBE / PUNSUBSCRIBE: one confirmation per argument; without
 * arguments, one per current subscription, or a single one with a nil name
 * when there is none.
 */
function unsubscribeAll(ctx: CommandContext, argv: Buffer[], kind: "unsubscribe" | "punsubscribe"): Reply {
  const { pubsub } = ctx.server;
  const client = ctx.client;
  const current = kind === "unsubscribe" ? client.channels : client.patterns;
  const names = argv.length > 1 ? argv.slice(1).map(keyOf) : [...current];
  if (names.length === 0) return confirmation(kind, client, null);
  return many(
    names.map((name) => {
      if (kind === "unsubscribe") pubsub.unsubscribe(client, name);
      else pubsub.punsubscribe(client, name);
      return confirmation(kind, client, name);
    }),
  );
}

const SUBSCRIBE_FLAGS = ["pubsub", "noscript", "loading", "stale"];

export const pubsubCommands: readonly CommandDefinition[] = [
  {
    name: "subscribe",
    arity: -2,
    flags: SUBSCRIBE_FLAGS,
    group: "pubsub",
    summary: "Listen for messages published to the given channels",
    since: "2.0.0",
    handler: (ctx, argv) => subscribeAll(ctx, argv, "subscribe"),
  },
  {
    name: "unsubscribe",
    arity: -1,
    flags: SUBSCRIBE_FLAGS,
    group: "pubsub",
    summary: "Stop listening for messages posted to the given channels",
    since: "2.0.0",
    handler: (ctx, argv) => unsubscribeAll(ctx, argv, "unsubscribe"),
  },
  {
    name: "psubscribe",
    arity: -2,
    flags: SUBSCRIBE_FLAGS,
    group: "pubsub",
    summary: "Listen for messages published to channels matching the given patterns",
    since: "2.0.0",
    handler: (ctx, argv) => subscribeAll(ctx, argv, "psubscribe"),
  },
  {
    name: "punsubscribe",
    arity: -1,
    flags: SUBSCRIBE_FLAGS,
    group: "pubsub",
    summary: "Stop listening for messages posted to channels matching the given patterns",
    since: "2.0.0",
    handler: (ctx, argv) => unsubscribeAll(ctx, argv, "punsubscribe"),
  },
  {
    name: "publish",
    arity: 3,
    flags: ["pubsub", "loading", "stale", "fast"],
    group: "pubsub",
    summary: "Post a message to a channel",
    since: "2.0.0",
    handler: (ctx, argv) => integer(ctx.server.pubsub.publish(keyOf(argv[1]!), argv[2]!)),
  },
  {
    name: "pubsub",
    arity: -2,
    group: "pubsub",
    summary: "A container for Pub/Sub commands",
    since: "2.8.0",
    subcommands: [
      {
        name: "channels",
        arity: -2,
        flags: ["pubsub", "loading", "stale"],
        group: "pubsub",
        summary: "List active channels",
        since: "2.8.0",
        handler: (ctx, argv) => {
          if (argv.length > 3) return error("ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB HELP.");
          const pattern = argv[2] === undefined ? undefined : keyOf(argv[2]);
          return array(ctx.server.pubsub.activeChannels(pattern).map(bulkBinary));
        },
      },
      {
        name: "numsub",
        arity: -2,
        flags: ["pubsub", "loading", "stale"],
        group: "pubsub",
        summary: "Get the count of subscribers for channels",
        since: "2.8.0",
        handler: (ctx, argv) =>
          array(argv.slice(2).flatMap((arg) => [bulkBinary(keyOf(arg)), integer(ctx.server.pubsub.subscriberCount(keyOf(arg)))])),
      },
      {
        name: "numpat",
        arity: 2,
        flags: ["pubsub", "loading", "stale"],
        group: "pubsub",
        summary: "Get the count of unique patterns pattern subscriptions",
        since: "2.8.0",
        handler: (ctx) => integer(ctx.server.pubsub.patternCount),
      },
    ],
  },
];
