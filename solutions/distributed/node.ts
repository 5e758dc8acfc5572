/** A Maelstrom node: JSON messages, one per line, on stdin and stdout; init, replies and RPCs between nodes. */
export interface Body {
  type: string;
  msg_id?: number;
  in_reply_to?: number;
  [field: string]: unknown;
}

export interface Message {
  src: string;
  dest: string;
  body: Body;
}

export type Handler = (node: Node, m: Message) => void | Promise<void>;

export interface NodeOptions {
  handlers: Record<string, Handler>;
  /** How a message becomes its line (without the newline). */
  encode?: (m: Message) => string;
}

export class Node {
  id = "";
  nodeIds: string[] = [];
  private nextMsgId = 1;
  private readonly callbacks = new Map<number, (body: Body) => void>();

  constructor(private readonly opts: NodeOptions) {}

  /** Sends `body` to `dest` with a fresh msg_id; returns the msg_id. */
  send(dest: string, body: Body): number {
    const msg_id = this.nextMsgId++;
    const m: Message = { src: this.id, dest, body: { ...body, msg_id } };
    process.stdout.write((this.opts.encode ?? JSON.stringify)(m) + "\n");
    return msg_id;
  }

  /** Answers a request: to its src, in_reply_to its msg_id. */
  reply(request: Message, body: Body): void {
    this.send(request.src, { ...body, in_reply_to: request.body.msg_id });
  }

  /** Sends a request to another node and waits up to `timeoutMs` for its reply (undefined on time-out). */
  rpc(dest: string, body: Body, timeoutMs: number): Promise<Body | undefined> {
    return new Promise((resolve) => {
      const id = this.send(dest, body);
      const timer = setTimeout(() => (this.callbacks.delete(id), resolve(undefined)), timeoutMs);
      this.callbacks.set(id, (reply) => (clearTimeout(timer), resolve(reply)));
    });
  }

  private async handle(m: Message): Promise<void> {
    const callback = m.body.in_reply_to === undefined ? undefined : this.callbacks.get(m.body.in_reply_to);
    if (callback) {
      this.callbacks.delete(m.body.in_reply_to!);
      callback(m.body);
      return;
    }
    const handler = this.opts.handlers[m.body.type];
    if (handler) return handler(this, m);
    if (m.body.in_reply_to === undefined) this.reply(m, { type: "error", code: 10, text: `unsupported message type ${m.body.type}` });
  }

  /** Reads messages from stdin until it closes. */
  async run(): Promise<void> {
    for await (const line of console) {
      if (line.trim() === "") continue;
      let m: Message;
      try {
        m = JSON.parse(line) as Message;
      } catch {
        console.error(`not JSON: ${line}`);
        continue;
      }
      this.handle(m).catch((e) => console.error(e));
    }
  }
}

/** The init handler: remembers the node's id and the cluster, answers init_ok. */
export const init: Handler = (node, m) => {
  node.id = String(m.body.node_id);
  node.nodeIds = (m.body.node_ids as string[]).map(String);
  console.error(`node ${node.id} initialised, cluster ${node.nodeIds.join(" ")}`);
  node.reply(m, { type: "init_ok" });
};
