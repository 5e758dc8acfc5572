// Filled in by the persistence extension.

import type { CommandDefinition } from "./define.ts";

export const persistenceCommands: readonly CommandDefinition[] = [];
