/**
 * The objects a set of tips reaches — commits, their trees and blobs, tags
 * and what they tag — for the packs a push or a server sends: what the
 * wanted tips reach, minus what the other side's tips reach.
 * https://git-scm.com/docs/gitformat-pack (what a pack for a fetch or push holds)
 */
import type { ObjectStore } from "./objects.ts";
import { parseCommit } from "./log.ts";
import { decodeTree, typeOfMode } from "./tree.ts";

/** Every object reachable from `tips`, not walking into `stop` (nor anything already in `seen`). */
export function reachable(store: ObjectStore, tips: Iterable<string>, stop: ReadonlySet<string> = new Set()): Set<string> {
  const seen = new Set<string>();
  const todo = [...tips].filter((o) => !stop.has(o));
  while (todo.length > 0) {
    const oid = todo.pop()!;
    if (seen.has(oid) || stop.has(oid)) continue;
    seen.add(oid);
    const obj = store.get(oid);
    if (obj.type === "commit") {
      const text = Buffer.from(obj.body).toString("utf8");
      const tree = /^tree ([0-9a-f]{40})$/m.exec(text)?.[1];
      if (tree) todo.push(tree);
      todo.push(...parseCommit(store, oid).parents);
    } else if (obj.type === "tree") {
      for (const e of decodeTree(obj.body)) if (typeOfMode(e.mode) !== "commit") todo.push(e.oid);
    } else if (obj.type === "tag") {
      const target = /^object ([0-9a-f]{40})$/m.exec(Buffer.from(obj.body).toString("utf8"))?.[1];
      if (target) todo.push(target);
    }
  }
  return seen;
}

/** Whether `ancestor` is `commit` or one of its ancestors. */
export function isAncestor(store: ObjectStore, ancestor: string, commit: string): boolean {
  const seen = new Set<string>();
  const todo = [commit];
  while (todo.length > 0) {
    const oid = todo.pop()!;
    if (oid === ancestor) return true;
    if (seen.has(oid)) continue;
    seen.add(oid);
    todo.push(...parseCommit(store, oid).parents);
  }
  return false;
}
