/**
 * WebSocket (RFC 6455) for the websocket stages, independent of any
 * solution: the opening handshake over a raw TCP connection, client frames
 * encoded byte by byte (masked, or not on purpose), the server's frames read
 * and logged one per line, and wsdump (Debian's python3-websocket) as the
 * real client.
 */
import { createHash } from "node:crypto";
import type { CaseContext } from "../stage/context.ts";
import type { Program } from "../stage/program.ts";
import { visible } from "../report/show.ts";
import { frameResponse, type HttpResponse } from "./http.ts";
import { caseEnded, never } from "../stage/case-ended.ts";
import { TcpConnection } from "./tcp.ts";

export const WSDUMP_PACKAGE = "python3-websocket";

export const Opcode = { CONTINUATION: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;
const NAMES: Record<number, string> = { 0: "continuation", 1: "text", 2: "binary", 8: "close", 9: "ping", 10: "pong" };

/** RFC 6455 §1.3, §4.2.2: base64(SHA-1(key + the GUID)). */
export function expectedAccept(key: string): string {
  return createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
}

export interface WsFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Buffer;
  /** How the length was written (§5.2): 7 bits, 7+16 or 7+64; set for frames a WsClient read. */
  lengthBits?: 7 | 16 | 64;
}

export function describeFrame(f: WsFrame): string {
  const name = NAMES[f.opcode] ?? `opcode 0x${f.opcode.toString(16)}`;
  let line = `${name}${f.fin ? "" : " (not FIN)"}${f.masked ? " MASKED" : ""}${f.rsv ? ` RSV=${f.rsv}` : ""} length ${f.payload.length}`;
  if (f.opcode === Opcode.CLOSE && f.payload.length >= 2) line += ` code ${f.payload.readUInt16BE(0)}${f.payload.length > 2 ? ` "${visible(f.payload.subarray(2, 80))}"` : ""}`;
  else if (f.payload.length > 0) line += f.payload.length <= 60 ? ` "${visible(f.payload)}"` : ` "${visible(f.payload.subarray(0, 40))}…"`;
  return line;
}

/** A client frame (§5.2): masked with `mask` (4 bytes) unless mask is false. */
export function clientFrame(opcode: number, payload: Uint8Array | string, o: { fin?: boolean; mask?: Uint8Array | false; rsv?: number } = {}): Buffer {
  const data = typeof payload === "string" ? Buffer.from(payload) : Buffer.from(payload);
  const n = data.length;
  const first = ((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | opcode;
  const maskBit = o.mask === false ? 0 : 0x80;
  let head: Buffer;
  if (n < 126) head = Buffer.from([first, maskBit | n]);
  else if (n < 65536) head = Buffer.from([first, maskBit | 126, n >> 8, n & 0xff]);
  else {
    head = Buffer.alloc(10);
    head[0] = first;
    head[1] = maskBit | 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  if (o.mask === false) return Buffer.concat([head, data]);
  const mask = Buffer.from(o.mask ?? [0x37, 0xfa, 0x21, 0x3d]);
  return Buffer.concat([head, mask, Buffer.from(data.map((b, i) => b ^ mask[i % 4]!))]);
}

/** A close frame's body: the code, then a UTF-8 reason. */
export function closeBody(code: number, reason = ""): Buffer {
  return Buffer.concat([Buffer.from([code >> 8, code & 0xff]), Buffer.from(reason)]);
}

/** The length of the whole frame at the start of `b`, or undefined if its header is incomplete. */
function frameLength(b: Buffer): number | undefined {
  if (b.length < 2) return undefined;
  const masked = (b[1]! & 0x80) !== 0;
  let len = b[1]! & 0x7f;
  let at = 2;
  if (len === 126) {
    if (b.length < 4) return undefined;
    len = b.readUInt16BE(2);
    at = 4;
  } else if (len === 127) {
    if (b.length < 10) return undefined;
    len = Number(b.readBigUInt64BE(2));
    at = 10;
  }
  return at + (masked ? 4 : 0) + len;
}

export class WsClient {
  private constructor(
    readonly tcp: TcpConnection,
    private readonly t: CaseContext,
  ) {}

  /** Opens a TCP connection and sends a handshake request (RFC 6455 §4.1), then reads the HTTP response (bounded). */
  static async handshake(t: CaseContext, server: Program, o: { path?: string; key?: string | null; version?: string | null; headers?: [string, string][]; upgrade?: string; connection?: string } = {}): Promise<{ ws: WsClient; response: HttpResponse | undefined; key: string }> {
    const tcp = await TcpConnection.open({ host: server.host, port: server.port, log: t.log, name: "websocket client", quiet: true });
    t.defer(() => tcp.close());
    const key = o.key ?? Buffer.from(t.rand.bytes(16)).toString("base64");
    const lines = [`GET ${o.path ?? "/ws"} HTTP/1.1`, `Host: ${server.host}:${server.port}`, `Upgrade: ${o.upgrade ?? "websocket"}`, `Connection: ${o.connection ?? "Upgrade"}`];
    if (o.key !== null) lines.push(`Sec-WebSocket-Key: ${key}`);
    if (o.version !== null) lines.push(`Sec-WebSocket-Version: ${o.version ?? "13"}`);
    for (const [n, v] of o.headers ?? []) lines.push(`${n}: ${v}`);
    const request = `${lines.join("\r\n")}\r\n\r\n`;
    t.log.output(`(websocket client: the handshake, then frames sent (>) and received (<), decoded)\n> ${visible(request)}`);
    await tcp.send(request);
    let framed: ReturnType<typeof frameResponse> = "incomplete";
    await tcp.waitFor((b) => (framed = frameResponse(b, { closed: tcp.closed })) !== "incomplete", 3000);
    if (caseEnded(t.signal)) return never();
    const ws = new WsClient(tcp, t);
    if (framed === "incomplete" || "error" in framed) {
      t.log.output(`< ${visible(tcp.pending.subarray(0, 300)) || "(nothing)"}`);
      return { ws, response: undefined, key };
    }
    const { response, used } = framed as { response: HttpResponse; used: number };
    t.log.output(`< ${visible(tcp.take(used))}`);
    return { ws, response, key };
  }

  async send(...frames: Buffer[]): Promise<void> {
    for (const f of frames) {
      const masked = (f[1]! & 0x80) !== 0;
      const len = frameLength(f)!;
      // Decode what we send, for the transcript.
      const payloadStart = len - this.payloadLength(f);
      const maskKey = masked ? f.subarray(payloadStart - 4, payloadStart) : undefined;
      const payload = Buffer.from(f.subarray(payloadStart).map((b, i) => (maskKey ? b ^ maskKey[i % 4]! : b)));
      this.t.log.output(`> ${describeFrame({ fin: (f[0]! & 0x80) !== 0, rsv: (f[0]! >> 4) & 7, opcode: f[0]! & 0x0f, masked, payload })}`);
    }
    await this.tcp.send(Buffer.concat(frames));
  }

  private payloadLength(f: Buffer): number {
    const l = f[1]! & 0x7f;
    return l < 126 ? l : l === 126 ? f.readUInt16BE(2) : Number(f.readBigUInt64BE(2));
  }

  /** The next frame from the server, unmasked if it was masked (noted), or undefined if none came whole within timeoutMs. */
  async next(timeoutMs: number): Promise<WsFrame | undefined> {
    const whole = (b: Buffer) => {
      const n = frameLength(b);
      return n !== undefined && b.length >= n;
    };
    const ok = await this.tcp.waitFor(whole, timeoutMs);
    // The case is over (its cleanup closed the connection): a read it never awaited must not fail the next case.
    if (caseEnded(this.t.signal)) return never();
    if (!ok) return undefined;
    const bytes = this.tcp.take(frameLength(this.tcp.pending)!);
    const masked = (bytes[1]! & 0x80) !== 0;
    const len = this.payloadLength(bytes);
    const start = bytes.length - len;
    const key = masked ? bytes.subarray(start - 4, start) : undefined;
    const payload = Buffer.from(bytes.subarray(start).map((b, i) => (key ? b ^ key[i % 4]! : b)));
    const l7 = bytes[1]! & 0x7f;
    const f: WsFrame = { fin: (bytes[0]! & 0x80) !== 0, rsv: (bytes[0]! >> 4) & 7, opcode: bytes[0]! & 0x0f, masked, payload, lengthBits: l7 < 126 ? 7 : l7 === 126 ? 16 : 64 };
    this.t.log.output(`< ${describeFrame(f)}`);
    return f;
  }

  /** Waits (bounded) until the server closes the TCP connection; returns whether it did. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    await this.tcp.waitFor(() => false, timeoutMs);
    if (caseEnded(this.t.signal)) return never();
    return this.tcp.closed;
  }
}
