import { header } from "../../../harness/clients/http.ts";
import { expectedAccept, WsClient } from "../../../harness/clients/http-websocket.ts";
import { stage } from "../../../harness/stage/define.ts";

const HANDSHAKE = "Answer a GET /ws with `Upgrade: websocket`, `Connection: Upgrade`, `Sec-WebSocket-Version: 13` and a `Sec-WebSocket-Key` with `HTTP/1.1 101 Switching Protocols`, `Upgrade: websocket`, `Connection: Upgrade` and `Sec-WebSocket-Accept`: base64 of the SHA-1 of the key followed by the GUID 258EAFA5-E914-47DA-95CA-C5AB0DC85B11 (RFC 6455 §1.3, §4.2.2). No body, no Content-Length.";
const VARIANTS = "Upgrade's value is case-insensitive (`WebSocket` is `websocket`), and Connection is a comma-separated list in which the token `Upgrade` may come with others, in any case (browsers send `Connection: keep-alive, Upgrade`) (RFC 6455 §4.2.1, RFC 9110 §7.6.1, §7.8).";
const NO_LENGTH_1XX = "A 101 (like every 1xx) has no body and must not carry Content-Length (RFC 9110 §8.6); the bytes after its empty line are WebSocket frames.";
const VERSION = "A handshake with a Sec-WebSocket-Version other than 13 is refused with 426 Upgrade Required and a `Sec-WebSocket-Version: 13` header saying which version you speak (RFC 6455 §4.2.2, §4.4).";
const KEY = "A handshake without a Sec-WebSocket-Key (16 random bytes in base64: 24 characters ending in ==) is refused with 400 Bad Request (RFC 6455 §4.2.1).";

export default stage(import.meta, [
  {
    name: "the RFC's example key gets 101 and s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
    async run(t) {
      const server = await t.start();
      const { response } = await WsClient.handshake(t, server, { key: "dGhlIHNhbXBsZSBub25jZQ==" });
      if (!response) return t.fail({ message: "No HTTP response to a WebSocket handshake for /ws within 3 s.", hint: HANDSHAKE });
      t.expectEqual(`${response.status}`, "101", { message: "A valid WebSocket handshake should be answered 101 Switching Protocols.", hint: HANDSHAKE });
      t.expectEqual(`Sec-WebSocket-Accept: ${header(response, "sec-websocket-accept") ?? "(none)"}`, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", { message: "Wrong Sec-WebSocket-Accept for the key dGhlIHNhbXBsZSBub25jZQ== (RFC 6455 §1.3's example).", hint: HANDSHAKE });
    },
  },
  {
    name: "a random key: 101 with Upgrade, Connection and the accept key",
    async run(t) {
      const server = await t.start();
      const { response, key } = await WsClient.handshake(t, server);
      if (!response) return t.fail({ message: "No HTTP response to a WebSocket handshake for /ws within 3 s.", hint: HANDSHAKE });
      t.expectEqual(`${response.status}`, "101", { message: "A valid WebSocket handshake should be answered 101 Switching Protocols.", hint: HANDSHAKE });
      t.expectEqual(`Upgrade: ${(header(response, "upgrade") ?? "(none)").toLowerCase()}`, "Upgrade: websocket", { message: "The 101 must say Upgrade: websocket.", hint: HANDSHAKE });
      t.expectEqual(`Connection: ${(header(response, "connection") ?? "(none)").toLowerCase()}`, "Connection: upgrade", { message: "The 101 must say Connection: Upgrade.", hint: HANDSHAKE });
      t.expectEqual(`Sec-WebSocket-Accept: ${header(response, "sec-websocket-accept") ?? "(none)"}`, `Sec-WebSocket-Accept: ${expectedAccept(key)}`, { message: `Wrong Sec-WebSocket-Accept for the key ${key}.`, hint: HANDSHAKE });
      if (header(response, "content-length") !== undefined) t.fail({ message: "The 101 Switching Protocols carries Content-Length.", expected: "(no Content-Length)", received: `Content-Length: ${header(response, "content-length")}`, hint: NO_LENGTH_1XX });
    },
  },
  {
    name: "Upgrade: WebSocket and Connection: keep-alive, Upgrade are a handshake too",
    async run(t) {
      const server = await t.start();
      const { response, key } = await WsClient.handshake(t, server, { upgrade: "WebSocket", connection: "keep-alive, Upgrade" });
      if (!response) return t.fail({ message: "No HTTP response within 3 s to a handshake with Upgrade: WebSocket and Connection: keep-alive, Upgrade.", hint: VARIANTS });
      t.expectEqual(`${response.status} ${header(response, "sec-websocket-accept") ?? "(no Sec-WebSocket-Accept)"}`, `101 ${expectedAccept(key)}`, { message: "A handshake with Upgrade: WebSocket and Connection: keep-alive, Upgrade (as Firefox sends) should be answered 101 with the accept key.", hint: VARIANTS });
    },
  },
  {
    name: "Sec-WebSocket-Version 8 or 14 is refused with 426 and Sec-WebSocket-Version: 13",
    async run(t) {
      const server = await t.start();
      const { response } = await WsClient.handshake(t, server, { version: "8" });
      if (!response) return t.fail({ message: "No HTTP response to a handshake with Sec-WebSocket-Version: 8 within 3 s.", hint: VERSION });
      t.expectEqual(`${response.status} Sec-WebSocket-Version: ${header(response, "sec-websocket-version") ?? "(none)"}`, "426 Sec-WebSocket-Version: 13", { message: "A handshake for a WebSocket version other than 13 should be refused, saying which version the server speaks.", hint: VERSION });
      // A later version too, every run: only 13 is accepted.
      const later = (await WsClient.handshake(t, server, { version: "14" })).response;
      if (!later) return t.fail({ message: "No HTTP response to a handshake with Sec-WebSocket-Version: 14 within 3 s.", hint: VERSION });
      t.expectEqual(`${later.status}`, "426", { message: "A handshake with Sec-WebSocket-Version: 14 (not 13) should be refused with 426 too.", hint: VERSION });
    },
  },
  {
    name: "a handshake without Sec-WebSocket-Key, or with one of 8 bytes, is refused with 400",
    async run(t) {
      const server = await t.start();
      const { response } = await WsClient.handshake(t, server, { key: null });
      if (!response) return t.fail({ message: "No HTTP response to a handshake without Sec-WebSocket-Key within 3 s.", hint: KEY });
      t.expectEqual(`${response.status}`, "400", { message: "A handshake without Sec-WebSocket-Key should be refused with 400.", hint: KEY });
      const short = Buffer.from(t.rand.bytes(8)).toString("base64");
      const r2 = (await WsClient.handshake(t, server, { key: short })).response;
      if (!r2) return t.fail({ message: `No HTTP response to a handshake with Sec-WebSocket-Key: ${short} within 3 s.`, hint: KEY });
      t.expectEqual(`${r2.status}`, "400", { message: `A handshake whose Sec-WebSocket-Key (${short}) is 8 bytes, not 16, should be refused with 400.`, hint: KEY });
    },
  },
]);
