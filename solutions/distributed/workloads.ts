/** The handlers of each workload: echo, unique ids. */
import type { Handler } from "./node.ts";

export const echo: Handler = (node, m) => node.reply(m, { type: "echo_ok", echo: m.body.echo });

let counter = 0;
/** Unique without coordination: the node's own id, then a counter of its own. */
export const generate: Handler = (node, m) => node.reply(m, { type: "generate_ok", id: `${node.id}-${counter++}` });
