/**
 * Reads frames from a packet socket's memory-mapped receive ring
 * (PACKET_RX_RING, TPACKET_V3; packet(7), the kernel's
 * Documentation/networking/packet_mmap.rst) in a thread of its own. The
 * kernel writes frames into fixed-size blocks of the ring and hands a block
 * to user space (TP_STATUS_USER in its header) when it is full or its
 * timeout expires; this thread sleeps in poll() until the block it waits for
 * is handed over, copies the block's frames into one buffer and posts it to
 * the main thread in one message (a Batch: the bytes, and per frame its
 * place in them, its packet type and the kernel's receive timestamp; both
 * transferred, not cloned), and gives the block back (TP_STATUS_KERNEL). No
 * system call per frame, no copy through recvfrom().
 */
import { toArrayBuffer } from "bun:ffi";
import { check, libc } from "./libc.ts";
import { META, type Batch } from "./batch.ts";
import type { Ring } from "./socket.ts";

declare const self: Worker;

const PROT_READ_WRITE = 0x1 | 0x2;
const MAP_SHARED = 0x1;
/** Block status: the kernel has handed the block to user space. */
const TP_STATUS_USER = 1;
const TP_STATUS_KERNEL = 0;
const POLLIN = 0x1;
const POLLERR = 0x8;
/** struct tpacket_block_desc: u32 version, u32 offset_to_priv, then struct tpacket_hdr_v1 { u32 block_status; u32 num_pkts; u32 offset_to_first_pkt; … }. */
const BLOCK_STATUS = 8;
const NUM_PKTS = 12;
const FIRST_PKT = 16;
/** struct tpacket3_hdr: u32 tp_next_offset, tp_sec, tp_nsec, tp_snaplen, tp_len, tp_status; u16 tp_mac, tp_net; … 48 bytes, then struct sockaddr_ll (sll_pkttype at 10). */
const SLL_PKTTYPE = 48 + 10;

self.onmessage = (e: MessageEvent<{ fd: number; ring: Ring }>) => {
  const { fd, ring } = e.data;
  const size = ring.blockSize * ring.blockCount;
  const addr = libc.mmap(null, size, PROT_READ_WRITE, MAP_SHARED, fd, 0);
  if (addr === null || Number(addr) === -1) check(-1, "mmap(PACKET_RX_RING)");
  const mem = toArrayBuffer(addr!, 0, size);
  const view = new DataView(mem);
  const words = new Uint32Array(mem);
  const pfd = Buffer.alloc(8);
  pfd.writeInt32LE(fd, 0);
  pfd.writeInt16LE(POLLIN | POLLERR, 4);
  for (let block = 0; ; block = (block + 1) % ring.blockCount) {
    const base = block * ring.blockSize;
    // Wait until the kernel hands this block over (a frame arriving, or the block's timeout, wakes poll).
    while ((Atomics.load(words, (base + BLOCK_STATUS) / 4) & TP_STATUS_USER) === 0) libc.poll(pfd, 1, -1);
    const count = view.getUint32(base + NUM_PKTS, true);
    // First the frames' places and sizes, then their bytes copied into one buffer of their own: the block goes back to the kernel below.
    const meta = new Float64Array(count * META);
    let total = 0;
    const from: number[] = [];
    for (let i = 0, at = base + view.getUint32(base + FIRST_PKT, true); i < count; i++) {
      const snap = view.getUint32(at + 12, true);
      from.push(at + view.getUint16(at + 24, true));
      meta.set([total, snap, view.getUint8(at + SLL_PKTTYPE), view.getUint32(at + 16, true), view.getUint32(at + 4, true), Math.floor(view.getUint32(at + 8, true) / 1000)], i * META);
      total += snap;
      at += view.getUint32(at, true);
    }
    const bytes = new Uint8Array(total);
    const ring8 = new Uint8Array(mem);
    for (let i = 0; i < count; i++) bytes.set(ring8.subarray(from[i]!, from[i]! + meta[i * META + 1]!), meta[i * META]!);
    Atomics.store(words, (base + BLOCK_STATUS) / 4, TP_STATUS_KERNEL);
    if (count > 0) postMessage({ bytes: bytes.buffer, meta } satisfies Batch, [bytes.buffer, meta.buffer]);
  }
};
