/**
 * What the ring's reader thread (ring-worker.ts) hands the main thread: a
 * block's frames copied into one buffer, and a table saying where each frame
 * is in it, both transferred with the message rather than cloned. In a module
 * of its own so that the main thread can read batches without loading the
 * worker's code.
 */
export interface Received {
  frame: Uint8Array;
  /** sll_pkttype: 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us. */
  pktType: number;
  /** Length on the wire (the frame may be cut to the ring's frame size). */
  length: number;
  sec: number;
  usec: number;
}

/** A block's frames as the worker posts them: their bytes one after another, and per frame META numbers: offset, captured length, packet type, length on the wire, seconds, microseconds. */
export interface Batch {
  bytes: ArrayBuffer;
  meta: Float64Array;
}

export const META = 6;

/** The frames of a batch (views into its bytes). */
export function framesOf(b: Batch): Received[] {
  const out: Received[] = [];
  for (let i = 0; i < b.meta.length; i += META) {
    const m = b.meta;
    out.push({ frame: new Uint8Array(b.bytes, m[i]!, m[i + 1]!), pktType: m[i + 2]!, length: m[i + 3]!, sec: m[i + 4]!, usec: m[i + 5]! });
  }
  return out;
}
