// Filled in by the lists extension.

import type { CommandDefinition } from "./define.ts";

export const listCommands: readonly CommandDefinition[] = [];
