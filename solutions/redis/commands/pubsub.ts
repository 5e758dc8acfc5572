// Filled in by the pubsub extension.

import type { CommandDefinition } from "./define.ts";

export const pubsubCommands: readonly CommandDefinition[] = [];
