/**
 * Writes B-trees bottom-up into fresh pages (fileformat2 §1.6, §1.7):
 * leaves packed in key order, interior pages above them, payloads that do
 * not fit spilled onto overflow pages. Used to write a whole database file.
 */
import { encodeVarint } from "./record-encode.ts";

export class PageFile {
  readonly pages: Uint8Array[] = [];
  readonly usable: number;

  constructor(readonly pageSize: number) {
    this.usable = pageSize;
    this.pages.push(new Uint8Array(pageSize)); // page 1: header and sqlite_schema's root
  }

  alloc(): number {
    this.pages.push(new Uint8Array(this.pageSize));
    return this.pages.length;
  }

  page(n: number): Uint8Array {
    return this.pages[n - 1]!;
  }
}

function u32(b: Uint8Array, off: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint32(off, v);
}

/** Payload bytes kept on the page, as the reader computes them. */
function localSize(f: PageFile, size: number, table: boolean): number {
  const u = f.usable;
  const x = table ? u - 35 : Math.floor(((u - 12) * 64) / 255) - 23;
  if (size <= x) return size;
  const m = Math.floor(((u - 12) * 32) / 255) - 23;
  const k = m + ((size - m) % (u - 4));
  return k <= x ? k : m;
}

/** The payload's on-page part (and a pointer to its overflow chain, written now). */
function spill(f: PageFile, payload: Uint8Array, table: boolean): number[] {
  const local = localSize(f, payload.length, table);
  const out = [...payload.subarray(0, local)];
  if (local === payload.length) return out;
  const chunk = f.usable - 4;
  const pages: number[] = [];
  for (let at = local; at < payload.length; at += chunk) pages.push(f.alloc());
  pages.forEach((p, i) => {
    const page = f.page(p);
    u32(page, 0, pages[i + 1] ?? 0);
    const from = local + i * chunk;
    page.set(payload.subarray(from, Math.min(payload.length, from + chunk)), 4);
  });
  const ptr = new Uint8Array(4);
  u32(ptr, 0, pages[0]!);
  return [...out, ...ptr];
}

/** Writes one page: header, cell pointers, cells packed at the end. */
function writeNode(f: PageFile, n: number, type: number, cells: number[][], right: number): void {
  const page = f.page(n);
  const h = n === 1 ? 100 : 0;
  const headerLen = type === 2 || type === 5 ? 12 : 8;
  let end = f.usable;
  cells.forEach((c, i) => {
    end -= c.length;
    page.set(c, end);
    page[h + headerLen + 2 * i] = end >> 8;
    page[h + headerLen + 2 * i + 1] = end & 0xff;
  });
  page[h] = type;
  page[h + 3] = cells.length >> 8;
  page[h + 4] = cells.length & 0xff;
  const start = cells.length === 0 ? f.usable : end;
  page[h + 5] = (start >> 8) & 0xff;
  page[h + 6] = start & 0xff;
  if (headerLen === 12) u32(page, h + 8, right);
}

interface Node {
  cells: number[][];
  right: number;
}

/** Groups cells into pages of `capacity` bytes (header included), in order. */
function pack(cells: number[][], capacity: number, headerLen: number): number[][][] {
  const groups: number[][][] = [[]];
  let used = headerLen;
  for (const c of cells) {
    if (used + c.length + 2 > capacity && groups[groups.length - 1]!.length > 0) {
      groups.push([]);
      used = headerLen;
    }
    groups[groups.length - 1]!.push(c);
    used += c.length + 2;
  }
  return groups;
}

/**
 * A table B-tree of these rows (sorted by rowid); returns its root page.
 * With `rootIsPage1`, every page keeps 100 bytes free, and the root is page 1.
 */
export function buildTable(f: PageFile, rows: { rowid: bigint; payload: Uint8Array }[], rootIsPage1 = false): number {
  const capacity = f.usable - (rootIsPage1 ? 100 : 0);
  const cells = rows.map((r) => [...encodeVarint(BigInt(r.payload.length)), ...encodeVarint(r.rowid), ...spill(f, r.payload, true)]);
  const keys = rows.map((r) => r.rowid);
  let level: { cells: number[][]; maxKey: bigint }[] = [];
  let k = 0;
  for (const g of pack(cells, capacity, 8)) {
    k += g.length;
    level.push({ cells: g, maxKey: keys[k - 1] ?? 0n });
  }
  let type = 13;
  let nodes: Node[] = level.map((l) => ({ cells: l.cells, right: 0 }));
  for (;;) {
    if (nodes.length === 1) {
      const root = rootIsPage1 ? 1 : f.alloc();
      writeNode(f, root, type, nodes[0]!.cells, nodes[0]!.right);
      return root;
    }
    // Write this level; the parent gets (child, max key) cells for all but the last child, which is its right pointer.
    const children = nodes.map((node) => {
      const p = f.alloc();
      writeNode(f, p, type, node.cells, node.right);
      return p;
    });
    const maxKeys = level.map((l) => l.maxKey);
    const parentCells: { cell: number[]; child: number; key: bigint }[] = children.map((c, i) => {
      const b = new Uint8Array(4);
      u32(b, 0, c);
      return { cell: [...b, ...encodeVarint(maxKeys[i]!)], child: c, key: maxKeys[i]! };
    });
    // Group children: each parent node takes a run of children; its last child is the right pointer.
    const groups: { cells: number[][]; right: number; maxKey: bigint }[] = [];
    let cur: typeof parentCells = [];
    let used = 12;
    for (const pc of parentCells) {
      if (used + pc.cell.length + 2 > capacity && cur.length > 1) {
        const last = cur.pop()!;
        groups.push({ cells: cur.map((x) => x.cell), right: last.child, maxKey: last.key });
        cur = [];
        used = 12;
      }
      cur.push(pc);
      used += pc.cell.length + 2;
    }
    const last = cur.pop()!;
    groups.push({ cells: cur.map((x) => x.cell), right: last.child, maxKey: last.key });
    level = groups.map((g) => ({ cells: g.cells, maxKey: g.maxKey }));
    nodes = groups.map((g) => ({ cells: g.cells, right: g.right }));
    type = 5;
  }
}

/** Bytes an index cell takes on its page (without writing its overflow pages yet). */
function indexCellSize(f: PageFile, rec: Uint8Array, interior: boolean): number {
  const local = localSize(f, rec.length, false);
  return (interior ? 4 : 0) + encodeVarint(BigInt(rec.length)).length + local + (local < rec.length ? 4 : 0);
}

/** An index cell, its overflow pages written now: [left child], payload size, payload. */
function indexCell(f: PageFile, rec: Uint8Array, child?: number): number[] {
  const prefix: number[] = [];
  if (child !== undefined) {
    const b = new Uint8Array(4);
    u32(b, 0, child);
    prefix.push(...b);
  }
  return [...prefix, ...encodeVarint(BigInt(rec.length)), ...spill(f, rec, false)];
}

/** An index B-tree of these records (already sorted); returns its root page. */
export function buildIndex(f: PageFile, records: Uint8Array[]): number {
  // Leaves, with a divider entry between consecutive leaves (it lives in the parent).
  let children: number[] = [];
  let dividers: Uint8Array[] = [];
  let cur: Uint8Array[] = [];
  let used = 8;
  const flush = () => {
    const p = f.alloc();
    writeNode(f, p, 10, cur.map((r) => indexCell(f, r)), 0);
    children.push(p);
    cur = [];
    used = 8;
  };
  records.forEach((rec, i) => {
    const size = indexCellSize(f, rec, false);
    if (used + size + 2 > f.usable && cur.length > 0) {
      if (i < records.length - 1) {
        flush();
        dividers.push(rec);
        return;
      }
      // The last entry cannot be a divider (no leaf would follow it): promote the leaf's last entry instead.
      const last = cur.pop()!;
      flush();
      dividers.push(last);
    }
    cur.push(rec);
    used += size + 2;
  });
  if (children.length === 0) {
    const root = f.alloc();
    writeNode(f, root, 10, cur.map((r) => indexCell(f, r)), 0);
    return root;
  }
  flush();
  // Interior levels: cells (child, divider), the last child as the right pointer.
  while (children.length > 1) {
    const nextChildren: number[] = [];
    const nextDividers: Uint8Array[] = [];
    let group: number[] = []; // positions i of the cells (children[i], dividers[i]) on the page being filled
    let size = 12;
    const write = (right: number) => {
      const p = f.alloc();
      writeNode(f, p, 2, group.map((j) => indexCell(f, dividers[j]!, children[j]!)), right);
      nextChildren.push(p);
      group = [];
      size = 12;
    };
    const n = dividers.length;
    for (let i = 0; i < n; i++) {
      const cellSize = indexCellSize(f, dividers[i]!, true);
      if (size + cellSize + 2 > f.usable && group.length > 0) {
        if (i < n - 1) {
          write(children[i]!);
          nextDividers.push(dividers[i]!);
          continue;
        }
        // The last divider: promote the page's last cell instead, so the final page is not empty.
        const j = group.pop()!;
        write(children[j]!);
        nextDividers.push(dividers[j]!);
      }
      group.push(i);
      size += cellSize + 2;
    }
    write(children[n]!);
    children = nextChildren;
    dividers = nextDividers;
  }
  return children[0]!;
}
