// A list value: a double-ended queue of byte strings on a growable ring
// buffer, so pushes and pops at both ends are O(1) and LINDEX is O(1).

const MIN_CAPACITY = 8;

export class RedisList implements Iterable<Buffer> {
  private buf: (Buffer | undefined)[] = new Array(MIN_CAPACITY);
  private head = 0;
  private count = 0;

  static from(items: Iterable<Buffer>): RedisList {
    const list = new RedisList();
    for (const item of items) list.pushRight(item);
    return list;
  }

  get length(): number {
    return this.count;
  }

  private grow(): void {
    const next: (Buffer | undefined)[] = new Array(this.buf.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = this.buf[(this.head + i) % this.buf.length];
    this.buf = next;
    this.head = 0;
  }

  pushLeft(item: Buffer): void {
    if (this.count === this.buf.length) this.grow();
    this.head = (this.head - 1 + this.buf.length) % this.buf.length;
    this.buf[this.head] = item;
    this.count++;
  }

  pushRight(item: Buffer): void {
    if (this.count === this.buf.length) this.grow();
    this.buf[(this.head + this.count) % this.buf.length] = item;
    this.count++;
  }

  popLeft(): Buffer | undefined {
    if (this.count === 0) return undefined;
    const item = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) % this.buf.length;
    this.count--;
    return item;
  }

  popRight(): Buffer | undefined {
    if (this.count === 0) return undefined;
    const i = (this.head + this.count - 1) % this.buf.length;
    const item = this.buf[i];
    this.buf[i] = undefined;
    this.count--;
    return item;
  }

  /** The item at `index` (0-based from the left), or undefined if out of range. */
  at(index: number): Buffer | undefined {
    if (index < 0 || index >= this.count) return undefined;
    return this.buf[(this.head + index) % this.buf.length];
  }

  /** Replaces the item at `index`; false if out of range. */
  set(index: number, item: Buffer): boolean {
    if (index < 0 || index >= this.count) return false;
    this.buf[(this.head + index) % this.buf.length] = item;
    return true;
  }

  /** Items start..end inclusive (already clamped to 0..length-1 by the caller). */
  slice(start: number, end: number): Buffer[] {
    const out: Buffer[] = [];
    for (let i = Math.max(0, start); i <= Math.min(end, this.count - 1); i++) out.push(this.at(i)!);
    return out;
  }

  /** Keeps only the items for which `keep` returns true, in order. */
  filter(keep: (item: Buffer, index: number) => boolean): void {
    const kept: Buffer[] = [];
    for (let i = 0; i < this.count; i++) {
      const item = this.at(i)!;
      if (keep(item, i)) kept.push(item);
    }
    this.buf = new Array(Math.max(MIN_CAPACITY, kept.length));
    kept.forEach((item, i) => (this.buf[i] = item));
    this.head = 0;
    this.count = kept.length;
  }

  /** Inserts `item` so that it ends up at `index` (0..length); O(n). */
  insert(index: number, item: Buffer): void {
    if (index <= 0) return this.pushLeft(item);
    if (index >= this.count) return this.pushRight(item);
    const items = [...this];
    items.splice(index, 0, item);
    this.buf = new Array(Math.max(MIN_CAPACITY, items.length * 2));
    items.forEach((x, i) => (this.buf[i] = x));
    this.head = 0;
    this.count = items.length;
  }

  *[Symbol.iterator](): Iterator<Buffer> {
    for (let i = 0; i < this.count; i++) yield this.at(i)!;
  }
}
