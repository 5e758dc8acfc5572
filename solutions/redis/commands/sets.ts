// Filled in by the sets extension.

import type { CommandDefinition } from "./define.ts";

export const setCommands: readonly CommandDefinition[] = [];
