/**
 * The server name a TLS client asks for, read from its ClientHello without
 * terminating TLS: TLS records (RFC 8446 §5.1) carrying a handshake message
 * of type client_hello (§4.1.2), whose server_name extension (RFC 6066 §3)
 * holds a host_name. The bytes are only read; the caller forwards them as
 * they are.
 */

/** Largest ClientHello read before giving up (a real one is a few hundred bytes to a few KiB). */
const MAX_HELLO = 64 * 1024;

export type SniResult = { kind: "incomplete" } | { kind: "not-tls" } | { kind: "hello"; serverName: string | undefined };

/** The unrecognized_name(112) fatal alert (RFC 6066 §3, RFC 8446 §6), as one TLS record. */
export const UNRECOGNIZED_NAME_ALERT = Buffer.from([21, 3, 3, 0, 2, 2, 112]);

/** Reads the ClientHello at the start of `buf` (the first bytes of a connection). */
export function readSni(buf: Buffer, firstExtensionOnly = false, firstRecordOnly = false): SniResult {
  // Reassemble the handshake bytes from as many records as the ClientHello spans.
  const parts: Buffer[] = [];
  let have = 0;
  let off = 0;
  let need = -1;
  while (need < 0 || have < need) {
    if (buf.length - off < 5) return buf.length > MAX_HELLO ? { kind: "not-tls" } : { kind: "incomplete" };
    if (buf[off] !== 22 || buf[off + 1] !== 3) return { kind: "not-tls" };
    const len = buf.readUInt16BE(off + 3);
    if (buf.length - off - 5 < len) return { kind: "incomplete" };
    parts.push(buf.subarray(off + 5, off + 5 + len));
    have += len;
    off += 5 + len;
    if (need < 0 && have >= 4) {
      const head = Buffer.concat(parts);
      if (head[0] !== 1) return { kind: "not-tls" };
      need = 4 + head.readUIntBE(1, 3);
      if (need > MAX_HELLO) return { kind: "not-tls" };
    }
    // A mistake, for fixtures: the ClientHello taken to end with its first record.
    if (firstRecordOnly && need > have) need = have;
  }
  const hello = Buffer.concat(parts).subarray(4, need);
  try {
    return { kind: "hello", serverName: serverName(hello, firstExtensionOnly) };
  } catch {
    return { kind: "not-tls" };
  }
}

/** The host_name in a ClientHello body's server_name extension (type 0), if any. Throws on a truncated body. `firstOnly`: a mistake, for fixtures. */
function serverName(b: Buffer, firstOnly: boolean): string | undefined {
  let p = 2 + 32; // legacy_version, random
  p += 1 + b.readUInt8(p); // legacy_session_id
  p += 2 + b.readUInt16BE(p); // cipher_suites
  p += 1 + b.readUInt8(p); // legacy_compression_methods
  if (p >= b.length) return undefined; // no extensions
  const end = p + 2 + b.readUInt16BE(p);
  p += 2;
  while (p + 4 <= end) {
    const type = b.readUInt16BE(p);
    const len = b.readUInt16BE(p + 2);
    p += 4;
    if (type === 0) {
      // ServerNameList: a 2-byte length, then entries of name_type (1 byte), a 2-byte length, the name.
      let q = p + 2;
      while (q + 3 <= p + len) {
        const nameType = b.readUInt8(q);
        const nameLen = b.readUInt16BE(q + 1);
        if (q + 3 + nameLen > b.length) throw new Error("truncated server_name");
        if (nameType === 0) return b.subarray(q + 3, q + 3 + nameLen).toString("ascii");
        q += 3 + nameLen;
      }
      return undefined;
    }
    if (firstOnly) return undefined;
    p += len;
  }
  return undefined;
}
