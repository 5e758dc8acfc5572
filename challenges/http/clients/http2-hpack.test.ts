import { expect, test } from "bun:test";
import { selfTests } from "../../../harness/self-test.ts";
import { encodeFrame, FrameType, parseSettings, settingsFrame } from "./http2-frames.ts";
import { HpackDecoder, HpackEncoder, huffmanDecode, huffmanEncode } from "./http2-hpack.ts";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

selfTests("the harness's HTTP/2 frames and HPACK", () => {
  test("Huffman: RFC 7541 C.4.1's www.example.com, and every byte value round-trips", () => {
    expect(huffmanEncode(Buffer.from("www.example.com")).toString("hex")).toBe("f1e3c2e5f23a6ba0ab90f4ff");
    expect(huffmanDecode(hex("f1e3c2e5f23a6ba0ab90f4ff")).toString()).toBe("www.example.com");
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(huffmanDecode(huffmanEncode(all)).equals(all)).toBe(true);
  });

  test("Huffman: padding that is not all ones, or longer than 7 bits, is refused", () => {
    expect(() => huffmanDecode(hex("f1e3c2e5f23a6ba0ab90f4fe"))).toThrow();
    expect(() => huffmanDecode(hex("ff"))).toThrow();
  });

  test("RFC 7541 C.4: three requests with Huffman coding share one dynamic table", () => {
    const d = new HpackDecoder();
    expect(d.decode(hex("828684418cf1e3c2e5f23a6ba0ab90f4ff"))).toEqual([[":method", "GET"], [":scheme", "http"], [":path", "/"], [":authority", "www.example.com"]]);
    expect(d.table.size).toBe(57);
    expect(d.decode(hex("828684be5886a8eb10649cbf"))).toEqual([[":method", "GET"], [":scheme", "http"], [":path", "/"], [":authority", "www.example.com"], ["cache-control", "no-cache"]]);
    expect(d.table.size).toBe(110);
    expect(d.decode(hex("828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf"))).toEqual([[":method", "GET"], [":scheme", "https"], [":path", "/index.html"], [":authority", "www.example.com"], ["custom-key", "custom-value"]]);
    expect(d.table.size).toBe(164);
  });

  test("RFC 7541 C.5: responses evict the oldest entries from a 256-byte table", () => {
    const d = new HpackDecoder();
    d.table.setMax(256);
    d.decode(hex("4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d"));
    expect(d.table.size).toBe(222);
    expect(d.decode(hex("4803333037c1c0bf"))).toEqual([[":status", "307"], ["cache-control", "private"], ["date", "Mon, 21 Oct 2013 20:13:21 GMT"], ["location", "https://www.example.com"]]);
    expect(d.table.size).toBe(222);
    expect(d.table.entries[0]).toEqual([":status", "307"]);
  });

  test("the encoder's literals decode back, and incremental ones are indexed", () => {
    const e = new HpackEncoder();
    const d = new HpackDecoder();
    const block = Buffer.concat([e.literal(["x-a", "one"], { huffman: true, representation: "incremental" }), e.literal(["x-b", "two"], { representation: "never-indexed" })]);
    expect(d.decode(block)).toEqual([["x-a", "one"], ["x-b", "two"]]);
    expect(d.decode(e.indexed(62))).toEqual([["x-a", "one"]]);
    expect(() => d.decode(e.indexed(63))).toThrow();
  });

  test("frames: the 9-octet header and SETTINGS payloads", () => {
    const f = encodeFrame(FrameType.PING, 0x1, 0, Buffer.alloc(8, 7));
    expect(f.subarray(0, 9).toString("hex")).toBe("000008060100000000");
    expect(parseSettings(settingsFrame([[4, 1000], [3, 100]]).subarray(9))).toEqual([[4, 1000], [3, 100]]);
  });
});
