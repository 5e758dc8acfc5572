// Clients blocked by BLPOP, BRPOP, BLMOVE, XREAD BLOCK, WAIT ...
// (https://redis.io/docs/latest/commands/blpop/#blocking-behavior).
//
// A blocked client waits on keys. When a command changes one of them, the
// key is marked ready; after that command finishes, the clients blocked on
// each ready key are retried in the order they blocked, so that one push
// serves exactly the longest-waiting client. A client served is given its
// reply, and its connection goes on with any input it buffered meanwhile.

import type { ClientState } from "./client.ts";
import { invoke } from "./commands/call.ts";
import type { BlockRequest, CommandSpec } from "./commands/types.ts";
import type { Reply } from "./reply.ts";
import type { ServerState } from "./state.ts";

interface Waiter {
  readonly client: ClientState;
  readonly spec: CommandSpec;
  readonly argv: Buffer[];
  readonly request: BlockRequest;
  readonly slots: readonly string[];
  readonly resume: (reply: Reply) => void;
  timer: ReturnType<typeof setTimeout> | null;
}

function slot(db: number, key: string): string {
  return `${db}:${key}`;
}

export class BlockingRegistry {
  private readonly byKey = new Map<string, Waiter[]>();
  private readonly byClient = new Map<ClientState, Waiter>();
  private readonly ready = new Set<string>();
  private serving = false;

  constructor(private readonly server: ServerState) {}

  /** Number of blocked clients (INFO blocked_clients). */
  get size(): number {
    return this.byClient.size;
  }

  /** Blocks `client` until `request` is served or times out; `resume` delivers the reply. */
  block(client: ClientState, spec: CommandSpec, argv: Buffer[], request: BlockRequest, resume: (reply: Reply) => void): void {
    const slots = request.keys.map((k) => slot(client.db, k));
    const waiter: Waiter = { client, spec, argv, request, slots, resume, timer: null };
    for (const s of slots.length > 0 ? slots : [""]) {
      let list = this.byKey.get(s);
      if (list === undefined) this.byKey.set(s, (list = []));
      list.push(waiter);
    }
    this.byClient.set(client, waiter);
    if (request.deadline > 0) {
      const wait = Math.max(0, request.deadline - Date.now());
      waiter.timer = setTimeout(() => {
        if (this.byClient.get(client) !== waiter) return;
        this.remove(waiter);
        waiter.resume(waiter.request.timeout());
      }, wait);
    }
  }

  /** Forgets a blocked client without replying (it disconnected). */
  unblock(client: ClientState): void {
    const waiter = this.byClient.get(client);
    if (waiter !== undefined) this.remove(waiter);
  }

  private remove(waiter: Waiter): void {
    if (waiter.timer !== null) clearTimeout(waiter.timer);
    this.byClient.delete(waiter.client);
    for (const s of waiter.slots.length > 0 ? waiter.slots : [""]) {
      const list = this.byKey.get(s);
      if (list === undefined) continue;
      const i = list.indexOf(waiter);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byKey.delete(s);
    }
  }

  /** `key` changed: if anyone waits on it, retry them after the current command. */
  keyModified(db: number, key: string): void {
    if (this.byKey.size === 0) return;
    const s = slot(db, key);
    if (this.byKey.has(s)) this.ready.add(s);
  }

  /** Database `db` was flushed: everyone waiting on one of its keys is retried (a blocked XREADGROUP learns its stream is gone). */
  databaseFlushed(db: number): void {
    const prefix = `${db}:`;
    for (const s of this.byKey.keys()) if (s.startsWith(prefix)) this.ready.add(s);
  }

  /** Retries clients blocked on no key (e.g. WAIT after a replica acknowledged). */
  retryKeyless(): void {
    if (this.byKey.has("")) this.ready.add("");
    this.serveReady();
  }

  /** Serves blocked clients on every ready key, until no key is ready. */
  serveReady(): void {
    if (this.serving) return;
    this.serving = true;
    try {
      while (this.ready.size > 0) {
        const s = this.ready.values().next().value!;
        this.ready.delete(s);
        for (const waiter of [...(this.byKey.get(s) ?? [])]) {
          if (this.byClient.get(waiter.client) !== waiter) continue;
          const reply = invoke(this.server, waiter.client, waiter.spec, waiter.argv, (ctx) => waiter.request.retry(ctx));
          this.server.propagation.flush(false);
          if (reply === undefined || reply.kind === "block") continue;
          this.remove(waiter);
          waiter.resume(reply);
        }
      }
    } finally {
      this.serving = false;
    }
  }
}
