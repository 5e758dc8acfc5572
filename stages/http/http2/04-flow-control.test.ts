import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startWithFiles } from "../../../harness/clients/http.ts";
import { h2url, nghttp } from "../../../challenges/http/clients/http2.ts";
import { encodeFrame, Flag, FrameType, H2Client, Setting, u32, type Frame } from "../../../challenges/http/clients/http2-frames.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { stage } from "../../../harness/stage/define.ts";

const RECEIVE = "You receive DATA within the window you advertised: 65,535 bytes for the connection and for each stream unless your SETTINGS_INITIAL_WINDOW_SIZE says otherwise (RFC 9113 §6.9.2). As you consume a request body, give the window back with WINDOW_UPDATE frames — on the stream and on the connection (stream 0) — or the client stops sending and the upload stalls (§6.9, §6.9.1).";
const SEND = "You may send DATA only within the peer's windows: the connection's (65,535 at the start, grown by WINDOW_UPDATE on stream 0) and the stream's (the peer's SETTINGS_INITIAL_WINDOW_SIZE, grown by WINDOW_UPDATE on that stream). Each DATA frame's length is taken from both. When either is used up, stop, and resume when a WINDOW_UPDATE arrives (RFC 9113 §6.9, §6.9.1).";
const FRAME_SIZE = "No frame may be longer than the peer's SETTINGS_MAX_FRAME_SIZE (16,384 octets unless it set more; RFC 9113 §4.2, §6.5.2), whatever its windows allow: when the windows are larger, cut DATA to the smaller of the windows and the maximum frame size.";
const CONN_WINDOW = "SETTINGS_INITIAL_WINDOW_SIZE sets the streams' windows only; the connection's window starts at 65,535 and grows only by WINDOW_UPDATE on stream 0 (RFC 9113 §6.9.2). With a 1 MiB stream window, DATA still stops after 65,535 bytes until the connection's window grows.";
const SETTINGS_CHANGE = "A SETTINGS_INITIAL_WINDOW_SIZE that changes while streams are open changes each of their windows by the difference (RFC 9113 §6.9.2).";

/** Content of a given size, from random words. */
function content(t: CaseContext, size: number): Buffer {
  const words: string[] = [];
  let n = 0;
  while (n < size) {
    const w = `${t.rand.word()}${t.rand.int(0, 999)}\n`;
    words.push(w);
    n += w.length;
  }
  return Buffer.from(words.join("")).subarray(0, size);
}

/** Reads frames for `ms`, counting the DATA bytes on `stream`; returns the count. */
async function dataFor(h2: H2Client, stream: number, ms: number, stopAt?: number): Promise<{ bytes: number; end: boolean }> {
  let bytes = 0;
  let end = false;
  await h2.until((f) => {
    if (f.type === FrameType.DATA && f.stream === stream) {
      bytes += f.length;
      end ||= (f.flags & Flag.END_STREAM) !== 0;
    }
    return end || (stopAt !== undefined && bytes >= stopAt);
  }, ms);
  return { bytes, end };
}

export default stage(import.meta, [
  {
    name: "an upload of nearly 1 MiB with nghttp: the server gives the window back",
    async run(t) {
      const { server, dir } = await startWithFiles(t);
      const body = content(t, 900_000);
      const name = `${t.rand.word()}.bin`;
      const upload = join(t.dir, "upload.bin");
      await Bun.write(upload, body);
      const r = await nghttp(t, ["-v", "-d", upload, "-H", ":method: PUT", h2url(server, `/files/${name}`)]);
      const status = /recv \(stream_id=\d+\) :status: (\d+)/.exec(r.output)?.[1];
      const updates = (r.output.match(/recv WINDOW_UPDATE frame/g) ?? []).length;
      if (r.code !== 0 || status !== "201") t.fail({ message: `nghttp could not PUT 900,000 bytes to /files/${name} (14 times the initial window of 65,535 bytes; it stalls when the server sends no WINDOW_UPDATE).`, expected: ":status 201", received: `${status ? `:status ${status}` : "no response"}, ${updates} WINDOW_UPDATE frames received${r.code !== 0 ? `, nghttp exit status ${r.code}` : ""}`, hint: RECEIVE });
      const stored = readFileSync(join(dir, name));
      if (!stored.equals(body)) t.fail({ message: `The file stored from the upload differs from what was sent.`, expected: `${body.length} bytes`, received: `${stored.length} bytes`, hint: RECEIVE });
    },
  },
  {
    name: "after a whole window of request body, WINDOW_UPDATE lets the client send the rest",
    async run(t) {
      const { server } = await startWithFiles(t);
      const name = `${t.rand.word()}.bin`;
      const body = content(t, 65535 + 20000);
      const h2 = await H2Client.open(t, server);
      const settings = await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      let streamWindow = settings.find(([id]) => id === Setting.INITIAL_WINDOW_SIZE)?.[1] ?? 65535;
      let connWindow = 65535;
      await h2.send(h2.get(1, `/files/${name}`, [["content-length", String(body.length)]], "PUT", false));
      t.log.note("DATA as the windows allow (the connection's 65,535 and the stream's initial window at first); then the server must send WINDOW_UPDATE before the client may send more");
      const track = (f: Frame) => {
        if (f.type !== FrameType.WINDOW_UPDATE || f.payload.length !== 4) return;
        const inc = f.payload.readUInt32BE(0) & 0x7fffffff;
        if (f.stream === 0) connWindow += inc;
        if (f.stream === 1) streamWindow += inc;
      };
      let sent = 0;
      while (sent < body.length) {
        const n = Math.min(connWindow, streamWindow, body.length - sent);
        if (n <= 0) {
          await h2.until((f) => {
            track(f);
            return connWindow > 0 && streamWindow > 0;
          }, 2000);
          if (connWindow <= 0 || streamWindow <= 0) t.fail({ message: `After ${sent} bytes of request body, which used up the window, the server sent no WINDOW_UPDATE opening it again within 2 s (${body.length - sent} bytes still to send).`, expected: "WINDOW_UPDATE on the connection (stream 0) and on stream 1", received: `connection window ${connWindow}, stream 1 window ${streamWindow}`, hint: RECEIVE });
          continue;
        }
        const frames: Buffer[] = [];
        for (let at = sent; at < sent + n; at += 16384) {
          const to = Math.min(sent + n, at + 16384);
          frames.push(encodeFrame(FrameType.DATA, to === body.length ? Flag.END_STREAM : 0, 1, body.subarray(at, to)));
        }
        await h2.send(...frames);
        sent += n;
        connWindow -= n;
        streamWindow -= n;
      }
      const r = (await h2.responses([1], 3000)).get(1)!;
      t.expectEqual(`:status ${r.status}`, ":status 201", { message: `PUT /files/${name} with ${body.length} bytes should be answered 201 once the body is complete.`, hint: RECEIVE });
    },
  },
  {
    name: "the server stops at the client's stream window and resumes on WINDOW_UPDATE",
    async run(t) {
      const size = t.rand.int(150_000, 200_000);
      const file = content(t, size);
      const { server } = await startWithFiles(t, { "big.txt": file });
      const h2 = await H2Client.open(t, server, { settings: [[Setting.INITIAL_WINDOW_SIZE, 1000]] });
      await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      t.log.note("the client's SETTINGS_INITIAL_WINDOW_SIZE is 1000: the server may send 1000 bytes of DATA on each stream until WINDOW_UPDATE");
      await h2.send(h2.get(1, "/big.txt"));
      let got = await dataFor(h2, 1, 3000, 1000);
      if (got.bytes < 1000) t.fail({ message: `GET /big.txt: the server sent ${got.bytes} bytes of DATA, not the 1000 the stream window allows, within 3 s.`, hint: SEND });
      const more = await dataFor(h2, 1, 400);
      got = { bytes: got.bytes + more.bytes, end: more.end };
      if (got.bytes > 1000) t.fail({ message: `The server sent ${got.bytes} bytes of DATA on stream 1, beyond the client's 1000-byte stream window (a FLOW_CONTROL_ERROR).`, expected: "at most 1000 bytes until a WINDOW_UPDATE", received: `${got.bytes} bytes`, hint: SEND });
      t.log.note("WINDOW_UPDATE stream 1 +3000: 3000 more bytes, no more");
      await h2.send(encodeFrame(FrameType.WINDOW_UPDATE, 0, 1, u32(3000)));
      let after = await dataFor(h2, 1, 3000, 3000);
      const extra = await dataFor(h2, 1, 400);
      after = { bytes: after.bytes + extra.bytes, end: extra.end };
      if (after.bytes !== 3000) t.fail({ message: `After WINDOW_UPDATE +3000 on stream 1, the server should send exactly 3000 more bytes of DATA (then wait again).`, expected: "3000 bytes", received: `${after.bytes} bytes`, hint: SEND });
      t.log.note("SETTINGS_INITIAL_WINDOW_SIZE 1 MiB (stream 1's window grows by the difference) and WINDOW_UPDATE +1 MiB on the connection: the rest comes");
      await h2.send(encodeFrame(FrameType.SETTINGS, 0, 0, Buffer.concat([Buffer.from([0, Setting.INITIAL_WINDOW_SIZE]), u32(1 << 20)])), encodeFrame(FrameType.WINDOW_UPDATE, 0, 0, u32(1 << 20)));
      const rest = await dataFor(h2, 1, 4000);
      const total = 4000 + rest.bytes;
      if (!rest.end || total !== size) t.fail({ message: `After the windows were opened, the rest of /big.txt (${size} bytes in all) should come, the last DATA frame with END_STREAM.`, expected: `${size} bytes, END_STREAM`, received: `${total} bytes${rest.end ? ", END_STREAM" : ", no END_STREAM"}`, hint: SETTINGS_CHANGE });
    },
  },
  {
    name: "nghttp with small windows downloads a large file",
    async run(t) {
      const file = content(t, t.rand.int(150_000, 200_000));
      const { server } = await startWithFiles(t, { "big.txt": file });
      const r = await nghttp(t, ["-w", "14", "-W", "15", h2url(server, "/big.txt")]);
      const said = r.output.split("\n").filter((l) => /not processed|ERROR|error_code/.test(l)).join("\n");
      if (r.code !== 0 || !r.stdoutBytes.equals(file)) t.fail({ message: "nghttp -w 14 -W 15 (windows of 16,383 bytes per stream and 32,767 for the connection) could not download /big.txt; nghttp ends the connection with FLOW_CONTROL_ERROR when a server sends more DATA than its window allows (run it with -v to see the GOAWAY).", expected: `${file.length} bytes`, received: `${r.stdoutBytes.length} bytes${said ? `\n${said}` : ""}${r.code !== 0 ? `\nnghttp exit status ${r.code}` : ""}`, hint: SEND });
    },
  },
  {
    name: "a stream waiting for window does not hold up another stream",
    async run(t) {
      const { server } = await startWithFiles(t, { "big.txt": content(t, 100_000) });
      const word = t.rand.word();
      const h2 = await H2Client.open(t, server, { settings: [[Setting.INITIAL_WINDOW_SIZE, 1000]] });
      await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      await h2.send(h2.get(1, "/big.txt"), h2.get(3, `/echo/${word}`));
      const r = (await h2.responses([3], 3000)).get(3)!;
      if (!r.complete) t.fail({ message: `Stream 3 (GET /echo/${word}) got no complete response within 3 s while stream 1 waited for window.`, hint: "A stream whose window is used up waits on its own: keep sending the other streams' frames (RFC 9113 §5.2)." });
      t.expectEqual(`${r.status} ${r.body.toString("latin1")}`, `200 ${word}`, { message: "Wrong response on stream 3.", hint: SEND });
    },
  },
  {
    name: "with windows larger than 16,384, DATA frames stay within SETTINGS_MAX_FRAME_SIZE",
    async run(t) {
      const size = t.rand.int(60_000, 90_000);
      const { server } = await startWithFiles(t, { "big.txt": content(t, size) });
      t.log.note("the client's stream window is 1 MiB and its connection window grows by 1 MiB; its SETTINGS_MAX_FRAME_SIZE is the default 16,384");
      const h2 = await H2Client.open(t, server, { settings: [[Setting.INITIAL_WINDOW_SIZE, 1 << 20]] });
      await h2.send(encodeFrame(FrameType.WINDOW_UPDATE, 0, 0, u32(1 << 20)));
      await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      await h2.send(h2.get(1, "/big.txt"));
      let bytes = 0;
      let largest = 0;
      await h2.until((f) => {
        if (f.stream !== 1) return false;
        largest = Math.max(largest, f.length);
        if (f.type === FrameType.DATA) bytes += f.length;
        return (f.flags & Flag.END_STREAM) !== 0 && (f.type === FrameType.DATA || f.type === FrameType.HEADERS);
      }, 4000);
      if (largest > 16384) t.fail({ message: `The server sent a frame of ${largest} octets on stream 1, over the client's SETTINGS_MAX_FRAME_SIZE of 16,384 (a FRAME_SIZE_ERROR), although its windows allowed more.`, expected: "every frame at most 16384 octets", received: `a frame of ${largest} octets`, hint: FRAME_SIZE });
      t.expectEqual(`${bytes} bytes of DATA`, `${size} bytes of DATA`, { message: `GET /big.txt (${size} bytes) with large windows should bring the whole file on stream 1, ending with END_STREAM, within 4 s.`, hint: SEND });
    },
  },
  {
    name: "a larger SETTINGS_INITIAL_WINDOW_SIZE does not grow the connection's window",
    async run(t) {
      const size = t.rand.int(100_000, 150_000);
      const { server } = await startWithFiles(t, { "big.txt": content(t, size) });
      const h2 = await H2Client.open(t, server, { settings: [[Setting.INITIAL_WINDOW_SIZE, 1 << 20]] });
      await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      t.log.note("the client's stream window is 1 MiB, its connection window the default 65,535: DATA must stop at 65,535 bytes");
      await h2.send(h2.get(1, "/big.txt"));
      let got = await dataFor(h2, 1, 3000, 65535);
      got = { bytes: got.bytes + (await dataFor(h2, 1, 400)).bytes, end: got.end };
      if (got.bytes !== 65535) t.fail({ message: `With a 1 MiB stream window and the connection's window at 65,535, the server should send exactly 65,535 bytes of DATA, then wait for WINDOW_UPDATE on stream 0.`, expected: "65535 bytes", received: `${got.bytes} bytes`, hint: CONN_WINDOW });
      await h2.send(encodeFrame(FrameType.WINDOW_UPDATE, 0, 0, u32(1 << 20)));
      const rest = await dataFor(h2, 1, 4000);
      if (!rest.end || 65535 + rest.bytes !== size) t.fail({ message: `After WINDOW_UPDATE +1 MiB on stream 0, the rest of /big.txt (${size} bytes in all) should come, ending with END_STREAM.`, expected: `${size} bytes, END_STREAM`, received: `${65535 + rest.bytes} bytes${rest.end ? ", END_STREAM" : ""}`, hint: SEND });
    },
  },
  {
    name: "a smaller SETTINGS_INITIAL_WINDOW_SIZE can make a stream's window negative",
    async run(t) {
      const { server } = await startWithFiles(t, { "big.txt": content(t, 50_000) });
      const h2 = await H2Client.open(t, server, { settings: [[Setting.INITIAL_WINDOW_SIZE, 1000]] });
      await h2.serverPreface({ message: "The server's first frame must be SETTINGS." });
      await h2.send(h2.get(1, "/big.txt"));
      const first = await dataFor(h2, 1, 3000, 1000);
      if (first.bytes !== 1000) t.fail({ message: `GET /big.txt with a 1000-byte stream window: the server sent ${first.bytes} bytes of DATA, not 1000, within 3 s.`, hint: SEND });
      t.log.note("SETTINGS_INITIAL_WINDOW_SIZE 1000 -> 500: stream 1's window goes from 0 to -500; then WINDOW_UPDATE +2000 leaves 1500");
      await h2.send(encodeFrame(FrameType.SETTINGS, 0, 0, Buffer.concat([Buffer.from([0, Setting.INITIAL_WINDOW_SIZE]), u32(500)])), encodeFrame(FrameType.WINDOW_UPDATE, 0, 1, u32(2000)));
      let after = await dataFor(h2, 1, 3000, 1500);
      after = { bytes: after.bytes + (await dataFor(h2, 1, 400)).bytes, end: after.end };
      t.expectEqual(`${after.bytes} bytes`, "1500 bytes", { message: "After SETTINGS_INITIAL_WINDOW_SIZE went from 1000 to 500 (stream 1's window, used up, becomes -500) and WINDOW_UPDATE +2000, the server should send exactly 1500 more bytes.", hint: SETTINGS_CHANGE });
    },
  },
]);
