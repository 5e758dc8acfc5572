// WATCH bookkeeping (https://redis.io/docs/latest/develop/interactions/transactions/#optimistic-locking-using-check-and-set):
// which clients watch which keys, and marking them when a key changes, is
// deleted, expires, or its database is flushed.

import type { ClientState } from "./client.ts";

function slot(db: number, key: string): string {
  return `${db}:${key}`;
}

export class WatchRegistry {
  private readonly byKey = new Map<string, Set<ClientState>>();
  private readonly byClient = new Map<ClientState, Set<string>>();

  watch(client: ClientState, db: number, key: string): void {
    const s = slot(db, key);
    let clients = this.byKey.get(s);
    if (clients === undefined) this.byKey.set(s, (clients = new Set()));
    clients.add(client);
    let keys = this.byClient.get(client);
    if (keys === undefined) this.byClient.set(client, (keys = new Set()));
    keys.add(s);
  }

  /** Forgets every key `client` watches and clears its dirty flag (UNWATCH, EXEC, DISCARD, disconnect). */
  unwatchAll(client: ClientState): void {
    const keys = this.byClient.get(client);
    client.watchDirty = false;
    if (keys === undefined) return;
    for (const s of keys) {
      const clients = this.byKey.get(s);
      clients?.delete(client);
      if (clients?.size === 0) this.byKey.delete(s);
    }
    this.byClient.delete(client);
  }

  /** The keys `client` watches, as [database, key] pairs. */
  keysOf(client: ClientState): [number, string][] {
    return [...(this.byClient.get(client) ?? [])].map((s) => {
      const colon = s.indexOf(":");
      return [Number(s.slice(0, colon)), s.slice(colon + 1)];
    });
  }

  /** `key` in database `db` changed: every client watching it fails its EXEC. */
  touched(db: number, key: string): void {
    if (this.byKey.size === 0) return;
    const clients = this.byKey.get(slot(db, key));
    if (clients !== undefined) for (const c of clients) c.watchDirty = true;
  }

  /**
   * Database `db` was flushed (or swapped): every client watching a key of
   * it that `had` says was there fails its EXEC; a watched key that did not
   * exist is left alone, as in redis-server 7.0 (touchAllWatchedKeysInDb).
   */
  flushed(db: number, had: (key: string) => boolean): void {
    const prefix = `${db}:`;
    for (const [s, clients] of this.byKey) {
      if (s.startsWith(prefix) && had(s.slice(prefix.length))) for (const c of clients) c.watchDirty = true;
    }
  }
}
