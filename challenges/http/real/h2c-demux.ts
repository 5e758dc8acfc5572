/**
 * Part of the real implementation's wrapper (nginx.sh), not of any solution:
 * nginx 1.22 speaks HTTP/2 without TLS only on a listener of its own
 * (`listen … http2` then refuses HTTP/1.1), while the stages expect one port
 * for both. This relay listens on the learner's port, reads the first bytes
 * of each connection and, like the reference, sends a connection that starts
 * with the HTTP/2 preface (RFC 9113 §3.4) to nginx's HTTP/2 listener and any
 * other to its HTTP/1.1 listener (both Unix sockets), then copies bytes both
 * ways untouched, half-closes included.
 *
 *   bun h2c-demux.ts <port> <http1.sock> <http2.sock>
 */
import { connect, createServer, type Socket } from "node:net";

const [port, h1, h2] = Bun.argv.slice(2);
if (!port || !h1 || !h2) {
  console.error("usage: h2c-demux.ts <port> <http1.sock> <http2.sock>");
  process.exit(2);
}
const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

function relay(client: Socket, first: Buffer): void {
  const n = Math.min(first.length, PREFACE.length);
  const upstream = connect(first.subarray(0, n).equals(PREFACE.subarray(0, n)) ? h2! : h1!);
  upstream.write(first);
  client.pipe(upstream);
  upstream.pipe(client);
  upstream.on("error", () => client.destroy());
  client.on("error", () => upstream.destroy());
  upstream.on("close", () => client.end());
}

const server = createServer({ allowHalfOpen: true }, (client) => {
  let first = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    first = Buffer.concat([first, chunk]);
    const n = Math.min(first.length, PREFACE.length);
    // Decided once the bytes differ from the preface, or all 24 octets match.
    if (first.length >= PREFACE.length || !first.subarray(0, n).equals(PREFACE.subarray(0, n))) {
      client.off("data", onData);
      client.off("end", onEnd);
      client.pause();
      relay(client, first);
    }
  };
  const onEnd = () => {
    // Closed before deciding: hand what came to HTTP/1.1 (it answers or closes).
    client.off("data", onData);
    const upstream = connect(h1!);
    upstream.end(first);
    upstream.pipe(client);
    upstream.on("error", () => client.destroy());
  };
  client.on("data", onData);
  client.on("end", onEnd);
  client.on("error", () => client.destroy());
});
server.listen(Number(port), "127.0.0.1");
