// Filled in by the replication extension.

import type { CommandDefinition } from "./define.ts";

export const replicationCommands: readonly CommandDefinition[] = [];
