// Filled in by the streams extension.

import type { CommandDefinition } from "./define.ts";

export const streamCommands: readonly CommandDefinition[] = [];
