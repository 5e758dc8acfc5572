// Filled in by the transactions extension.

import type { CommandDefinition } from "./define.ts";

export const transactionCommands: readonly CommandDefinition[] = [];
