/**
 * B-tree pages (fileformat2 §1.6 "B-tree Pages"): table B-trees keyed by
 * rowid and index B-trees keyed by records, with payloads that spill onto
 * overflow pages (§1.7 "Cell Payload Overflow Pages").
 */
import type { Pager } from "./pager.ts";
import { quirks } from "./quirks.ts";
import { readSmallVarint, readVarint } from "./varint.ts";

export const INTERIOR_INDEX = 2;
export const INTERIOR_TABLE = 5;
export const LEAF_INDEX = 10;
export const LEAF_TABLE = 13;

export interface PageView {
  data: Uint8Array;
  type: number;
  cells: number;
  /** Offset of the cell pointer array. */
  pointers: number;
  rightChild: number;
}

export function readPage(pager: Pager, n: number): PageView {
  return pageView(pager.page(n), n);
}

/** The header of page `n` whose bytes are `data`. */
function pageView(data: Uint8Array, n: number): PageView {
  const h = n === 1 ? 100 : 0;
  const type = data[h]!;
  if (type !== 2 && type !== 5 && type !== 10 && type !== 13) throw new Error(`database disk image is malformed (page ${n} has type ${type})`);
  const cells = (data[h + 3]! << 8) | data[h + 4]!;
  const leaf = type === LEAF_INDEX || type === LEAF_TABLE;
  const rightChild = leaf ? 0 : new DataView(data.buffer, data.byteOffset).getUint32(h + 8);
  return { data, type, cells, pointers: h + (leaf ? 8 : 12), rightChild };
}

export function cellOffset(p: PageView, i: number): number {
  return (p.data[p.pointers + 2 * i]! << 8) | p.data[p.pointers + 2 * i + 1]!;
}

export function leftChild(p: PageView, off: number): number {
  return new DataView(p.data.buffer, p.data.byteOffset).getUint32(off);
}

/** X of §1.6: the largest payload kept whole on a page (a larger one spills onto overflow pages). */
export function maxLocalPayload(pager: Pager, table: boolean): number {
  const u = pager.usable;
  return table || quirks.indexUsesTableX ? u - (quirks.overflowThresholdOffByOne ? 36 : 35) : Math.floor(((u - 12) * 64) / 255) - 23;
}

/** How many payload bytes stay on the page (§1.6: X, M and K). */
export function localPayload(pager: Pager, size: number, table: boolean): number {
  const u = pager.usable;
  const x = maxLocalPayload(pager, table);
  if (size <= x) return size;
  const m = Math.floor(((u - 12) * 32) / 255) - 23;
  const k = m + ((size - m) % (u - 4));
  return (quirks.overflowKBelowX ? k < x : k <= x) ? k : m;
}

/** The payload starting at `off` in page data: local bytes, then the overflow chain. */
export function readPayload(pager: Pager, data: Uint8Array, off: number, size: number, table: boolean): Uint8Array {
  if (quirks.ignoreOverflow) return data.subarray(off, off + size);
  const local = localPayload(pager, size, table);
  if (local === size) return data.subarray(off, off + size);
  const out = new Uint8Array(size);
  out.set(data.subarray(off, off + local), 0);
  let next = new DataView(data.buffer, data.byteOffset).getUint32(off + local);
  let at = local;
  const chunk = pager.usable - 4;
  while (at < size) {
    if (next === 0) throw new Error("database disk image is malformed (overflow chain ends early)");
    const page = pager.page(next);
    const n = Math.min(chunk, size - at);
    out.set(page.subarray(4, 4 + n), at);
    at += n;
    next = new DataView(page.buffer, page.byteOffset).getUint32(0);
  }
  return out;
}

export interface TableCell {
  rowid: bigint;
  payload: () => Uint8Array;
}

function tableLeafCell(pager: Pager, p: PageView, i: number): TableCell {
  let off = cellOffset(p, i);
  const [size, l1] = readSmallVarint(p.data, off);
  off += l1;
  const rid = readVarint(p.data, off);
  off += rid.length;
  const at = off;
  return { rowid: rid.value, payload: () => readPayload(pager, p.data, at, size, true) };
}

/** Pages read per run by `children` (256 KiB on 4096-byte pages). */
const RUN = 64;

/**
 * The children of an interior page, in order, as page views. A page the
 * pager does not hold is read with its consecutive neighbours in one read
 * into `scratch[depth]` and not kept: a visit that reads every page once
 * (a scan, a count) reuses a few buffers instead of holding the whole file
 * in fresh memory. A view is valid until the next child is asked for.
 */
function* children(pager: Pager, p: PageView, depth: number, scratch: Uint8Array[], skipRightMost = false): Generator<PageView> {
  const numbers: number[] = [];
  for (let i = 0; i < p.cells; i++) numbers.push(leftChild(p, cellOffset(p, i)));
  if (!skipRightMost) numbers.push(p.rightChild);
  const size = pager.header.pageSize;
  for (let i = 0; i < numbers.length; ) {
    const first = numbers[i]!;
    if (pager.holds(first) || first > pager.pagesInFile || first < 1) {
      yield readPage(pager, first);
      i++;
      continue;
    }
    let j = i + 1;
    while (j < numbers.length && j - i < RUN && numbers[j] === numbers[j - 1]! + 1 && numbers[j]! <= pager.pagesInFile && !pager.holds(numbers[j]!)) j++;
    const buf = (scratch[depth] ??= new Uint8Array(RUN * size));
    pager.readRun(first, j - i, buf);
    for (let k = i; k < j; k++) yield pageView(buf.subarray((k - i) * size, (k - i + 1) * size), numbers[k]!);
    i = j;
  }
}

/** The leaf pages of a table B-tree, in rowid order (each valid until the next is asked for). */
export function* tableLeaves(pager: Pager, root: number): Generator<PageView> {
  const scratch: Uint8Array[] = [];
  function* below(p: PageView, depth: number): Generator<PageView> {
    if (p.type === LEAF_TABLE) {
      yield p;
      return;
    }
    if (p.type !== INTERIOR_TABLE) throw new Error(`page ${root} is not a table B-tree page`);
    for (const c of children(pager, p, depth, scratch)) yield* below(c, depth + 1);
  }
  yield* below(readPage(pager, root), 0);
}

/** Every row of a table B-tree, in rowid order. */
export function* scanTable(pager: Pager, root: number): Generator<TableCell> {
  const p = readPage(pager, root);
  if (p.type === LEAF_TABLE) {
    for (let i = 0; i < p.cells; i++) yield tableLeafCell(pager, p, i);
    return;
  }
  if (p.type !== INTERIOR_TABLE) throw new Error(`page ${root} is not a table B-tree page`);
  for (let i = 0; i < p.cells; i++) yield* scanTable(pager, leftChild(p, cellOffset(p, i)));
  yield* scanTable(pager, p.rightChild);
}

/** Number of rows of a table B-tree: the sum of its leaves' cell counts. */
export function countTable(pager: Pager, root: number): number {
  const scratch: Uint8Array[] = [];
  const count = (p: PageView, depth: number): number => {
    if (p.type === LEAF_TABLE || quirks.countRootPageOnly || (quirks.countTwoLevelsOnly && depth === 1)) return p.cells;
    let n = 0;
    for (const c of children(pager, p, depth, scratch, quirks.countSkipsRightMost)) n += count(c, depth + 1);
    return n;
  };
  return count(readPage(pager, root), 0);
}

/** The row with this rowid, found by descending the interior pages (binary search). */
export function seekRowid(pager: Pager, root: number, rowid: bigint): TableCell | undefined {
  let p = readPage(pager, root);
  while (p.type === INTERIOR_TABLE) {
    let lo = 0;
    let hi = p.cells;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const off = cellOffset(p, mid);
      const key = readVarint(p.data, off + 4).value;
      if (key < rowid) lo = mid + 1;
      else hi = mid;
    }
    p = readPage(pager, lo === p.cells ? p.rightChild : leftChild(p, cellOffset(p, lo)));
  }
  let lo = 0;
  let hi = p.cells;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = tableLeafCell(pager, p, mid);
    if (c.rowid === rowid) return c;
    if (c.rowid < rowid) lo = mid + 1;
    else hi = mid;
  }
  return undefined;
}

function indexCellPayload(pager: Pager, p: PageView, i: number): Uint8Array {
  let off = cellOffset(p, i);
  if (p.type === INTERIOR_INDEX) off += 4;
  const [size, l] = readSmallVarint(p.data, off);
  return readPayload(pager, p.data, off + l, size, false);
}

/**
 * Index entries in key order, starting at the first whose key is not below
 * the target: `below(payload)` says whether an entry sorts before it.
 * Interior cells of an index B-tree are entries too, between their children.
 */
export function* scanIndexFrom(pager: Pager, root: number, below: (payload: Uint8Array) => boolean): Generator<Uint8Array> {
  const stack: { p: PageView; i: number }[] = [];
  let p = readPage(pager, root);
  for (;;) {
    let lo = 0;
    let hi = p.cells;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (below(indexCellPayload(pager, p, mid))) lo = mid + 1;
      else hi = mid;
    }
    stack.push({ p, i: lo });
    if (p.type === LEAF_INDEX) break;
    if (p.type !== INTERIOR_INDEX) throw new Error(`page is not an index B-tree page`);
    p = readPage(pager, lo === p.cells ? p.rightChild : leftChild(p, cellOffset(p, lo)));
  }
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.i >= top.p.cells) {
      stack.pop();
      continue;
    }
    if (!(quirks.skipInteriorIndexEntries && top.p.type === INTERIOR_INDEX)) yield indexCellPayload(pager, top.p, top.i);
    top.i++;
    if (top.p.type === INTERIOR_INDEX) {
      // Descend to the leftmost entry of the next child.
      let c = readPage(pager, top.i === top.p.cells ? top.p.rightChild : leftChild(top.p, cellOffset(top.p, top.i)));
      if (top.i === top.p.cells) stack.pop();
      for (;;) {
        stack.push({ p: c, i: 0 });
        if (c.type === LEAF_INDEX) break;
        c = readPage(pager, c.cells === 0 ? c.rightChild : leftChild(c, cellOffset(c, 0)));
      }
    }
  }
}
