// Filled in by the sorted-sets extension.

import type { CommandDefinition } from "./define.ts";

export const sortedSetCommands: readonly CommandDefinition[] = [];
