/**
 * TLS ClientHello messages the test builds itself (RFC 8446 §4.1.2), to send
 * raw to a server that routes by SNI: the extensions in an order the test
 * chooses, as clients that permute them (BoringSSL, hence Chrome) do, or with
 * no server_name at all. Only the first flight: nothing here completes a
 * handshake.
 */

/** One extension: its type and its extension_data. */
export interface Extension {
  type: number;
  data: Buffer;
}

const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const u24 = (n: number) => Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);
const vec16 = (b: Buffer) => Buffer.concat([u16(b.length), b]);
const vec8 = (b: Buffer) => Buffer.concat([Buffer.from([b.length]), b]);

export const SERVER_NAME = 0;

/** server_name (RFC 6066 §3): a ServerNameList with one host_name entry. */
export function serverNameExtension(host: string): Extension {
  return { type: SERVER_NAME, data: vec16(Buffer.concat([Buffer.from([0]), vec16(Buffer.from(host, "ascii"))])) };
}

/**
 * Extensions a TLS 1.3 client sends besides server_name, with plausible data:
 * GREASE (RFC 8701) first, as BoringSSL sends it, then the usual ones.
 * `random(n)` supplies key shares and padding.
 */
export function otherExtensions(random: (n: number) => Uint8Array): Extension[] {
  return [
    { type: 0x0a0a, data: Buffer.alloc(0) }, // GREASE (RFC 8701)
    { type: 23, data: Buffer.alloc(0) }, // extended_master_secret
    { type: 0xff01, data: Buffer.from([0]) }, // renegotiation_info
    { type: 10, data: vec16(Buffer.concat([u16(0x001d), u16(0x0017), u16(0x0018)])) }, // supported_groups
    { type: 11, data: vec8(Buffer.from([0])) }, // ec_point_formats
    { type: 35, data: Buffer.alloc(0) }, // session_ticket
    { type: 16, data: vec16(vec8(Buffer.from("http/1.1"))) }, // ALPN
    { type: 13, data: vec16(Buffer.concat([0x0403, 0x0804, 0x0401, 0x0503].map(u16))) }, // signature_algorithms
    { type: 51, data: vec16(Buffer.concat([u16(0x001d), vec16(Buffer.from(random(32)))])) }, // key_share
    { type: 45, data: vec8(Buffer.from([1])) }, // psk_key_exchange_modes
    { type: 43, data: vec8(Buffer.concat([u16(0x0304), u16(0x0303)])) }, // supported_versions
    { type: 21, data: Buffer.alloc(random(1)[0]! % 64) }, // padding
  ];
}

/** A ClientHello handshake message (type 1, 3-byte length, body) with these extensions, in this order. */
export function clientHello(extensions: Extension[], random: (n: number) => Uint8Array): Buffer {
  const body = Buffer.concat([
    u16(0x0303), // legacy_version
    Buffer.from(random(32)), // random
    vec8(Buffer.from(random(32))), // legacy_session_id
    vec16(Buffer.concat([0x1301, 0x1302, 0x1303, 0xc02f].map(u16))), // cipher_suites
    vec8(Buffer.from([0])), // legacy_compression_methods: null
    vec16(Buffer.concat(extensions.map((e) => Buffer.concat([u16(e.type), vec16(e.data)])))),
  ]);
  return Buffer.concat([Buffer.from([1]), u24(body.length), body]);
}

/** The handshake message in one TLS record (type 22, record version 3.1 as clients send it, RFC 8446 §5.1). */
export function handshakeRecord(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from([22, 3, 1]), u16(message.length), message]);
}
