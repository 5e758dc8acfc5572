/**
 * Changing B-trees in place (fileformat2 §1.6, §1.7): cells inserted into
 * and removed from their pages, pages split when they overflow and merged
 * with their siblings when they run low, the root kept on its page (a root
 * that overflows moves its content to a new child; a root left with one
 * child takes the child's content back), pages no longer used put on the
 * freelist. Balancing follows SQLite's idea (btree.c balance_nonroot): the
 * cells of a page and its neighbours, with the dividers between them, are
 * spread again over as few pages as hold them.
 */
import { INTERIOR_INDEX, INTERIOR_TABLE, LEAF_INDEX, LEAF_TABLE, localPayload, readPayload } from "./btree.ts";
import type { Pager } from "./pager.ts";
import { decodeRecord } from "./record.ts";
import { encodeVarint } from "./record-encode.ts";
import { compareValues, type Value } from "./value.ts";
import { readSmallVarint, readVarint } from "./varint.ts";

interface Node {
  page: number;
  type: number;
  /** Cells as stored, interior cells starting with their left child's page number. */
  cells: Uint8Array[];
  right: number;
}

function u32(b: Uint8Array, off: number): number {
  return new DataView(b.buffer, b.byteOffset).getUint32(off);
}

function withChild(child: number, rest: Uint8Array): Uint8Array {
  const c = new Uint8Array(4 + rest.length);
  new DataView(c.buffer).setUint32(0, child);
  c.set(rest, 4);
  return c;
}

const isLeaf = (type: number) => type === LEAF_TABLE || type === LEAF_INDEX;

/** Index entries are compared by their values, DESC columns reversed, the rowid last. */
export type KeyOrder = boolean[];

export function compareKeys(a: Value[], b: Value[], desc: KeyOrder): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i]!, b[i]!);
    if (c !== 0) return desc[i] ? -c : c;
  }
  return a.length - b.length;
}

export class BTrees {
  private readonly nodes = new Map<number, Node>();
  private readonly changed = new Set<number>();

  constructor(readonly pager: Pager) {}

  // ---- pages as nodes ----

  private node(page: number): Node {
    let n = this.nodes.get(page);
    if (n) return n;
    const data = this.pager.page(page);
    const h = page === 1 ? 100 : 0;
    const type = data[h]!;
    if (type !== 2 && type !== 5 && type !== 10 && type !== 13) throw new Error(`database disk image is malformed (page ${page} has type ${type})`);
    const count = (data[h + 3]! << 8) | data[h + 4]!;
    const ptrs = h + (isLeaf(type) ? 8 : 12);
    const cells: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const off = (data[ptrs + 2 * i]! << 8) | data[ptrs + 2 * i + 1]!;
      cells.push(data.slice(off, off + this.cellSize(data, off, type)));
    }
    n = { page, type, cells, right: isLeaf(type) ? 0 : u32(data, h + 8) };
    this.nodes.set(page, n);
    return n;
  }

  /** Bytes a cell takes on its page (fileformat2 §1.6: the cell formats). */
  private cellSize(data: Uint8Array, off: number, type: number): number {
    if (type === INTERIOR_TABLE) return 4 + readVarint(data, off + 4).length;
    let at = off + (type === INTERIOR_INDEX ? 4 : 0);
    const [size, l] = readSmallVarint(data, at);
    at += l;
    if (type === LEAF_TABLE) at += readVarint(data, at).length;
    const local = localPayload(this.pager, size, type === LEAF_TABLE);
    return at - off + local + (local < size ? 4 : 0);
  }

  private touch(n: Node): void {
    this.changed.add(n.page);
  }

  private capacity(page: number, type: number): number {
    return this.pager.usable - (page === 1 ? 100 : 0) - (isLeaf(type) ? 8 : 12);
  }

  private used(n: Node): number {
    let s = 0;
    for (const c of n.cells) s += c.length + 2;
    return s;
  }

  /** Writes the changed nodes into their pages: header, cell pointers, cells packed at the end. */
  flush(): void {
    for (const page of this.changed) {
      const n = this.nodes.get(page);
      if (!n) continue;
      const data = this.pager.writable(page);
      const h = page === 1 ? 100 : 0;
      const headerLen = isLeaf(n.type) ? 8 : 12;
      data.fill(0, h, this.pager.usable);
      let end = this.pager.usable;
      n.cells.forEach((c, i) => {
        end -= c.length;
        data.set(c, end);
        data[h + headerLen + 2 * i] = end >> 8;
        data[h + headerLen + 2 * i + 1] = end & 0xff;
      });
      if (end < h + headerLen + 2 * n.cells.length) throw new Error(`internal error: page ${page} overfull`);
      const dv = new DataView(data.buffer, data.byteOffset);
      data[h] = n.type;
      dv.setUint16(h + 3, n.cells.length);
      dv.setUint16(h + 5, end === 65536 ? 0 : end);
      if (headerLen === 12) dv.setUint32(h + 8, n.right);
    }
    this.changed.clear();
  }

  private freePage(page: number): void {
    this.nodes.delete(page);
    this.changed.delete(page);
    this.pager.free(page);
  }

  /** A new empty B-tree: its root page. */
  create(index: boolean): number {
    const page = this.pager.allocate();
    const n: Node = { page, type: index ? LEAF_INDEX : LEAF_TABLE, cells: [], right: 0 };
    this.nodes.set(page, n);
    this.touch(n);
    return page;
  }

  // ---- payloads and overflow chains ----

  /** The payload's on-page part, followed by the first overflow page's number when it spills (§1.7). */
  private spill(payload: Uint8Array, table: boolean): Uint8Array {
    const local = localPayload(this.pager, payload.length, table);
    if (local === payload.length) return payload;
    const chunk = this.pager.usable - 4;
    const pages: number[] = [];
    for (let at = local; at < payload.length; at += chunk) pages.push(this.pager.allocate());
    pages.forEach((p, i) => {
      const data = this.pager.writable(p);
      data.fill(0);
      new DataView(data.buffer, data.byteOffset).setUint32(0, pages[i + 1] ?? 0);
      const from = local + i * chunk;
      data.set(payload.subarray(from, Math.min(payload.length, from + chunk)), 4);
    });
    const out = new Uint8Array(local + 4);
    out.set(payload.subarray(0, local), 0);
    new DataView(out.buffer).setUint32(local, pages[0]!);
    return out;
  }

  /** Frees a cell's overflow chain, if it has one. */
  private freeOverflow(cell: Uint8Array, type: number): void {
    if (type === INTERIOR_TABLE) return;
    let at = type === INTERIOR_INDEX ? 4 : 0;
    const [size, l] = readSmallVarint(cell, at);
    at += l;
    if (type === LEAF_TABLE) at += readVarint(cell, at).length;
    const local = localPayload(this.pager, size, type === LEAF_TABLE);
    if (local === size) return;
    let next = u32(cell, at + local);
    let pages = Math.ceil((size - local) / (this.pager.usable - 4));
    while (next !== 0 && pages-- > 0) {
      const following = u32(this.pager.page(next), 0);
      this.pager.free(next);
      next = following;
    }
  }

  private indexPayload(cell: Uint8Array, interior: boolean): Uint8Array {
    const at = interior ? 4 : 0;
    const [size, l] = readSmallVarint(cell, at);
    return readPayload(this.pager, cell, at + l, size, false);
  }

  private indexKey(cell: Uint8Array, interior: boolean): Value[] {
    return decodeRecord(this.indexPayload(cell, interior), this.pager.header.textEncoding || 1);
  }

  private tableKey(cell: Uint8Array, type: number): bigint {
    if (type === INTERIOR_TABLE) return readVarint(cell, 4).value;
    return readVarint(cell, readSmallVarint(cell, 0)[1]).value;
  }

  private child(n: Node, i: number): number {
    return i < n.cells.length ? u32(n.cells[i]!, 0) : n.right;
  }

  // ---- table B-trees ----

  /** Path from the root to the leaf where `rowid` is or belongs; each step the child position taken. */
  private tablePath(root: number, rowid: bigint): { node: Node; i: number }[] {
    const path: { node: Node; i: number }[] = [];
    let n = this.node(root);
    for (;;) {
      let lo = 0;
      let hi = n.cells.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.tableKey(n.cells[mid]!, n.type) < rowid) lo = mid + 1;
        else hi = mid;
      }
      path.push({ node: n, i: lo });
      if (isLeaf(n.type)) return path;
      n = this.node(this.child(n, lo));
    }
  }

  /** Whether the table has a row with this rowid. */
  hasRow(root: number, rowid: bigint): boolean {
    const path = this.tablePath(root, rowid);
    const leaf = path[path.length - 1]!;
    const cell = leaf.node.cells[leaf.i];
    return cell !== undefined && this.tableKey(cell, LEAF_TABLE) === rowid;
  }

  /** The record of the row with this rowid, if there is one. */
  rowRecord(root: number, rowid: bigint): Uint8Array | undefined {
    const path = this.tablePath(root, rowid);
    const leaf = path[path.length - 1]!;
    const c = leaf.node.cells[leaf.i];
    if (c === undefined || this.tableKey(c, LEAF_TABLE) !== rowid) return undefined;
    const [size, l] = readSmallVarint(c, 0);
    const r = readVarint(c, l);
    return readPayload(this.pager, c, l + r.length, size, true);
  }

  /** The largest rowid in the table (0 when it is empty). */
  maxRowid(root: number): bigint {
    let n = this.node(root);
    while (!isLeaf(n.type)) n = this.node(n.right);
    // A rightmost leaf emptied by deletes may leave the largest rowid further left.
    if (n.cells.length === 0) {
      let max = 0n;
      for (const c of this.rows(root)) max = c.rowid > max ? c.rowid : max;
      return max;
    }
    return this.tableKey(n.cells[n.cells.length - 1]!, LEAF_TABLE);
  }

  /** Every row's rowid and record, in rowid order. */
  *rows(root: number): Generator<{ rowid: bigint; record: Uint8Array }> {
    const n = this.node(root);
    if (isLeaf(n.type)) {
      for (const c of n.cells) {
        const [size, l] = readSmallVarint(c, 0);
        const r = readVarint(c, l);
        yield { rowid: r.value, record: readPayload(this.pager, c, l + r.length, size, true) };
      }
      return;
    }
    for (let i = 0; i <= n.cells.length; i++) yield* this.rows(this.child(n, i));
  }

  /** Adds a row (the caller made sure its rowid is new). */
  insertRow(root: number, rowid: bigint, record: Uint8Array): void {
    const path = this.tablePath(root, rowid);
    const leaf = path[path.length - 1]!;
    const head = [...encodeVarint(BigInt(record.length)), ...encodeVarint(rowid)];
    const body = this.spill(record, true);
    const cell = new Uint8Array(head.length + body.length);
    cell.set(head, 0);
    cell.set(body, head.length);
    leaf.node.cells.splice(leaf.i, 0, cell);
    this.touch(leaf.node);
    this.rebalance(path);
  }

  /** Removes the row with this rowid, if there is one; returns whether it was there. */
  deleteRow(root: number, rowid: bigint): boolean {
    const path = this.tablePath(root, rowid);
    const leaf = path[path.length - 1]!;
    const cell = leaf.node.cells[leaf.i];
    if (!cell || this.tableKey(cell, LEAF_TABLE) !== rowid) return false;
    this.freeOverflow(cell, LEAF_TABLE);
    leaf.node.cells.splice(leaf.i, 1);
    this.touch(leaf.node);
    this.rebalance(path);
    return true;
  }

  // ---- index B-trees ----

  /** Path to the leaf where `key` belongs, or to the cell (leaf or interior) that holds it (`found`). */
  private indexPath(root: number, key: Value[], desc: KeyOrder): { path: { node: Node; i: number }[]; found: boolean } {
    const path: { node: Node; i: number }[] = [];
    let n = this.node(root);
    for (;;) {
      const interior = !isLeaf(n.type);
      let lo = 0;
      let hi = n.cells.length;
      let found = false;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const c = compareKeys(this.indexKey(n.cells[mid]!, interior), key, desc);
        if (c < 0) lo = mid + 1;
        else {
          if (c === 0) found = true;
          hi = mid;
        }
      }
      path.push({ node: n, i: lo });
      if (found || !interior) return { path, found };
      n = this.node(this.child(n, lo));
    }
  }

  /** The first entry whose leading values equal `prefix`, if there is one (a UNIQUE check). */
  entryWithPrefix(root: number, prefix: Value[], desc: KeyOrder): Value[] | undefined {
    const { path } = this.indexPath(root, prefix, desc);
    for (let d = path.length - 1; d >= 0; d--) {
      const { node, i } = path[d]!;
      if (i < node.cells.length) {
        const key = this.indexKey(node.cells[i]!, !isLeaf(node.type));
        return prefix.every((v, j) => compareValues(v, key[j] ?? null) === 0) ? key : undefined;
      }
    }
    return undefined;
  }

  /** Adds an index entry: the indexed values, then the rowid. */
  insertEntry(root: number, key: Value[], record: Uint8Array, desc: KeyOrder): void {
    const { path, found } = this.indexPath(root, key, desc);
    if (found) throw new Error("internal error: index entry exists");
    const leaf = path[path.length - 1]!;
    const body = this.spill(record, false);
    const size = encodeVarint(BigInt(record.length));
    const cell = new Uint8Array(size.length + body.length);
    cell.set(size, 0);
    cell.set(body, size.length);
    leaf.node.cells.splice(leaf.i, 0, cell);
    this.touch(leaf.node);
    this.rebalance(path);
  }

  /** Removes an index entry; an entry on an interior page is replaced by the largest entry of its left subtree. */
  deleteEntry(root: number, key: Value[], desc: KeyOrder): boolean {
    const { path, found } = this.indexPath(root, key, desc);
    if (!found) return false;
    const at = path[path.length - 1]!;
    const n = at.node;
    if (isLeaf(n.type)) {
      this.freeOverflow(n.cells[at.i]!, LEAF_INDEX);
      n.cells.splice(at.i, 1);
      this.touch(n);
      this.rebalance(path);
      return true;
    }
    // The predecessor: the last entry of the rightmost leaf under the left child.
    let c = this.node(this.child(n, at.i));
    for (;;) {
      path.push({ node: c, i: isLeaf(c.type) ? c.cells.length - 1 : c.cells.length });
      if (isLeaf(c.type)) break;
      c = this.node(c.right);
    }
    const pred = c.cells.pop()!;
    this.touch(c);
    this.freeOverflow(n.cells[at.i]!, INTERIOR_INDEX);
    n.cells[at.i] = withChild(u32(n.cells[at.i]!, 0), pred);
    this.touch(n);
    this.rebalance(path);
    return true;
  }

  // ---- whole trees ----

  /** Frees every page of a B-tree, overflow chains included (DROP). */
  dropTree(root: number): void {
    const n = this.node(root);
    for (const c of n.cells) this.freeOverflow(c, n.type);
    if (!isLeaf(n.type)) {
      for (let i = 0; i <= n.cells.length; i++) this.dropTree(this.child(n, i));
    }
    this.freePage(root);
  }

  // ---- balancing ----

  private overfull(n: Node): boolean {
    return this.used(n) > this.capacity(n.page, n.type);
  }

  private underfull(n: Node): boolean {
    return n.cells.length === 0 || this.used(n) * 3 < this.capacity(n.page, n.type);
  }

  /** From the leaf up: each page that overflows or runs low is balanced with its siblings. */
  private rebalance(path: { node: Node; i: number }[]): void {
    for (let level = path.length - 1; level >= 0; level--) {
      const n = path[level]!.node;
      if (level === 0) {
        while (this.overfull(n)) {
          this.deeper(n);
          this.balance(n, 0);
        }
        this.shallower(n);
        return;
      }
      if (this.overfull(n) || this.underfull(n)) this.balance(path[level - 1]!.node, path[level - 1]!.i);
    }
  }

  /** The root overflows: its content moves to a new child, the root becomes an interior page above it. */
  private deeper(root: Node): void {
    const page = this.pager.allocate();
    const child: Node = { page, type: root.type, cells: root.cells, right: root.right };
    this.nodes.set(page, child);
    this.touch(child);
    root.type = root.type === LEAF_TABLE || root.type === INTERIOR_TABLE ? INTERIOR_TABLE : INTERIOR_INDEX;
    root.cells = [];
    root.right = page;
    this.touch(root);
  }

  /** An interior root left with one child takes the child's content, when it fits. */
  private shallower(root: Node): void {
    while (!isLeaf(root.type) && root.cells.length === 0) {
      const child = this.node(root.right);
      if (this.used(child) > this.capacity(root.page, child.type)) return;
      root.type = child.type;
      root.cells = child.cells;
      root.right = child.right;
      this.touch(root);
      this.freePage(child.page);
    }
  }

  /**
   * Spreads the cells of the parent's child `i` and its neighbours (up to
   * three siblings), with the dividers between them, over as few pages as
   * hold them, evenly; new dividers go into the parent.
   */
  private balance(parent: Node, i: number): void {
    const count = parent.cells.length + 1;
    const first = Math.max(0, Math.min(i - 1, count - 3));
    const last = Math.min(count - 1, first + 2);
    const siblings: Node[] = [];
    for (let j = first; j <= last; j++) siblings.push(this.node(this.child(parent, j)));
    const type = siblings[0]!.type;
    const leaf = isLeaf(type);
    // The units to spread: cells, and (except for table leaves) the dividers between siblings, which come down.
    const units: Uint8Array[] = [];
    siblings.forEach((s, k) => {
      units.push(...s.cells);
      if (k === siblings.length - 1 || type === LEAF_TABLE) return;
      const divider = parent.cells[first + k]!;
      if (type === LEAF_INDEX) units.push(divider.slice(4));
      else if (type === INTERIOR_INDEX) units.push(withChild(s.right, divider.subarray(4)));
      else units.push(withChild(s.right, divider.subarray(4)));
    });
    const finalRight = siblings[siblings.length - 1]!.right;
    // A divider above the last sibling (when it is not the parent's right child) stays, pointing at the last new page.
    const lastDivider = first + siblings.length - 1 < parent.cells.length ? parent.cells[first + siblings.length - 1]! : undefined;

    const capacity = this.pager.usable - (isLeaf(type) ? 8 : 12);
    const consumes = type !== LEAF_TABLE;
    const pack = (limit: number): Uint8Array[][] => {
      const groups: Uint8Array[][] = [[]];
      const dividers: Uint8Array[] = [];
      let used = 0;
      for (let u = 0; u < units.length; u++) {
        const size = units[u]!.length + 2;
        const cur = groups[groups.length - 1]!;
        const remaining = units.length - u;
        if (cur.length > 0 && used + size > limit) {
          if (!consumes) {
            groups.push([units[u]!]);
            used = size;
            continue;
          }
          if (remaining >= 2) {
            dividers.push(units[u]!);
            groups.push([]);
            used = 0;
            continue;
          }
          // The last unit cannot divide (no page would follow it): the page's last cell divides instead.
          if (cur.length >= 2) {
            dividers.push(cur.pop()!);
            groups.push([units[u]!]);
            used = size;
            continue;
          }
        }
        cur.push(units[u]!);
        used += size;
      }
      (groups as Uint8Array[][] & { dividers?: Uint8Array[] }).dividers = dividers;
      return groups;
    };
    let groups = pack(capacity);
    const total = units.reduce((s, u) => s + u.length + 2, 0);
    if (groups.length > 1) {
      // Spread evenly over that many pages (never past a page's capacity).
      const even = pack(Math.min(capacity, Math.ceil(total / groups.length) + 16));
      const fits = (g: Uint8Array[][]) => g.every((cells) => cells.reduce((s, c) => s + c.length + 2, 0) <= capacity);
      if (even.length === groups.length && fits(even)) groups = even;
    }
    const dividers = (groups as Uint8Array[][] & { dividers?: Uint8Array[] }).dividers!;
    // Pages: the siblings' own first, then new ones; siblings left over are freed.
    const pages = siblings.map((s) => s.page);
    while (pages.length < groups.length) pages.push(this.pager.allocate());
    for (const extra of pages.splice(groups.length)) this.freePage(extra);
    const newCells: Uint8Array[] = [];
    groups.forEach((cells, g) => {
      const page = pages[g]!;
      let right = 0;
      if (!leaf) {
        // An interior page's right child: the child of the divider that follows it, or the last sibling's right child.
        right = g < groups.length - 1 ? u32(dividers[g]!, 0) : finalRight;
      }
      const node: Node = { page, type, cells, right };
      this.nodes.set(page, node);
      this.touch(node);
      if (g < groups.length - 1) {
        if (type === LEAF_TABLE) newCells.push(withChild(page, new Uint8Array(encodeVarint(this.tableKey(cells[cells.length - 1]!, LEAF_TABLE)))));
        else if (type === LEAF_INDEX) newCells.push(withChild(page, dividers[g]!));
        else newCells.push(withChild(page, dividers[g]!.subarray(4)));
      }
    });
    const lastPage = pages[groups.length - 1]!;
    const replaced = siblings.length - 1 + (lastDivider ? 1 : 0);
    if (lastDivider) newCells.push(withChild(lastPage, lastDivider.subarray(4)));
    else parent.right = lastPage;
    parent.cells.splice(first, replaced, ...newCells);
    this.touch(parent);
  }
}
