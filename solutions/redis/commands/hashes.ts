// Filled in by the hashes extension.

import type { CommandDefinition } from "./define.ts";

export const hashCommands: readonly CommandDefinition[] = [];
