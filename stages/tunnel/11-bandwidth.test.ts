import { bulkBytes, LocalHttpService, sha256, startTcpService, type ServiceRequest } from "../../harness/clients/local-service.ts";
import { StreamSocket } from "../../challenges/tunnel/clients/stream-socket.ts";
import { startTunnelClient, startTunnelServer } from "../../challenges/tunnel/clients/tunnel.ts";
import { stage } from "../../harness/stage/define.ts";

/** --max-bytes-per-sec for both cases: 256 KiB/s, so the bucket holds 256 KiB. */
const RATE = 256 << 10;
/** Each way in the first case: 384 KiB down and 384 KiB up, 768 KiB in all, ≈ 2 s at RATE after the first bucketful. */
const EACH_WAY = 384 << 10;
/** Bytes over the bound the first case lets pass (headers, a piece in flight, the timer's granularity). */
const SLACK = 96 << 10;
/** What each of two tunnels downloads at once in the second case: ≈ 1 s each at RATE after its bucketful; ≥ 3 s for both through one shared bucket. */
const EACH_TUNNEL = 512 << 10;
/** The bound for both: well above the ≈ 1 s each takes alone (room for a loaded machine), below the 3 s one shared bucket needs at the least (a bucket never lets bytes through faster). */
const BOTH_WITHIN = 2600;
const KIB = (n: number) => `${Math.round(n / 1024)} KiB`;

/** The TCP case: a first piece smaller than the bucket, which a full bucket lets through at once, and how long "at once" may take on a loaded machine (an empty bucket needs ≈ 0.94 s). */
const FIRST_PIECE = RATE - (16 << 10);
const AT_ONCE_MS = 600;
const TCP_TOTAL = 640 << 10;
/** How long the second TCP tunnel stays quiet at the least: a bucket that kept filling past N would hold 2.5 × N. */
const QUIET_MS = 1500;
const BUCKET = `Give each tunnel a token bucket (RFC 2697 §3): it holds at most --max-bytes-per-sec tokens (one second's worth), starts full, and gains --max-bytes-per-sec tokens a second. Every byte the tunnel carries, in either direction, takes a token first; without one, wait (stop reading that side, and let flow control hold the rest back). Over any t seconds a tunnel then carries at most N × (1 + t) bytes.`;
const PER_TUNNEL = "The limit is per tunnel: every registration gets its own bucket, so one tunnel's traffic never uses another's tokens. A single bucket for the whole server makes a busy tunnel slow down every other one.";
const INTACT = "A rate limit only delays bytes: every byte still arrives, in order, once.";

export default stage(import.meta, [
  {
    name: `--max-bytes-per-sec ${RATE}: a download and an upload through one tunnel together stay within the limit`,
    timeout: 15,
    async run(t) {
      const server = await startTunnelServer(t, { args: ["--max-bytes-per-sec", String(RATE)] });
      const name = t.rand.word();
      const down = bulkBytes(t.rand.key("download"), EACH_WAY);
      const up = bulkBytes(t.rand.key("upload"), EACH_WAY);
      let upload: ServiceRequest | undefined;
      const local = await LocalHttpService.start(t, "local service", async (req) => {
        if (req.method === "GET") return req.reply(200, [["Content-Type", "application/octet-stream"]], down);
        upload = req;
        await req.waitBody(12000);
        await req.reply(200, [], sha256(req.body()));
      });
      await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      const host = `${name}.localhost:${server.httpPort}`;
      const downloader = await StreamSocket.connect(t, "downloading user", server.httpPort);
      const uploader = await StreamSocket.connect(t, "uploading user", server.httpPort);
      const start = Date.now();
      void downloader.write(`GET /download HTTP/1.1\r\nHost: ${host}\r\n\r\n`).catch(() => {});
      void (async () => {
        await uploader.write(`POST /upload HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${EACH_WAY}\r\n\r\n`);
        uploader.log(`> (${KIB(EACH_WAY)} of request body)`);
        await uploader.write(up, false);
      })().catch(() => {});
      // Count the bytes as they arrive at the far ends — the download at the public user, the upload at the local
      // service — and compare with what the bucket allows by then: a full bucket, plus RATE for every second since.
      const downloaded = () => downloader.received;
      const uploaded = () => upload?.bodyReceived ?? 0;
      const complete = () => downloader.ended && uploaded() >= EACH_WAY;
      let over: { at: number; down: number; up: number; allowed: number } | undefined;
      let closest = -Infinity;
      // For the diagnosis "the upload was not held back": whether the download alone ever went past the bound, and
      // whether the total was past it when the upload's last byte arrived.
      let downAloneOver = false;
      let overWhenUploadDone: boolean | undefined;
      const deadline = start + 8000;
      for (;;) {
        const finished = complete(); // read first, so that the bytes that completed it are checked too
        const d = downloaded();
        const u = uploaded();
        const at = (Date.now() - start) / 1000;
        const allowed = RATE * (1 + at);
        closest = Math.max(closest, d + u - allowed);
        if (d + u > allowed + SLACK && (!over || d + u - allowed > over.down + over.up - over.allowed)) over = { at, down: d, up: u, allowed };
        if (d > allowed + SLACK) downAloneOver = true;
        if (overWhenUploadDone === undefined && u >= EACH_WAY) overWhenUploadDone = d + u > allowed + SLACK;
        if (finished || Date.now() > deadline || t.signal.aborted) break;
        await Bun.sleep(20);
      }
      const took = (Date.now() - start) / 1000;
      t.log.note(`the download (${KIB(downloaded())}) and the upload (${KIB(uploaded())}) took ${took.toFixed(2)} s together; at ${KIB(RATE)}/s with a full bucket to start, ${KIB(2 * EACH_WAY)} take about ${((2 * EACH_WAY - RATE) / RATE).toFixed(1)} s; the most that had arrived beyond the bound at any moment: ${closest > 0 ? KIB(closest) : "nothing"}`);
      if (over) {
        t.fail({
          message: `With --max-bytes-per-sec ${RATE}, ${KIB(over.down + over.up)} had crossed the tunnel ${over.at.toFixed(2)} s after a download and an upload started (${KIB(over.down)} down, ${KIB(over.up)} up): more than a full bucket plus ${over.at.toFixed(2)} s at ${KIB(RATE)}/s allows (${KIB(over.allowed)}, with ${KIB(SLACK)} to spare).${(over.up >= EACH_WAY && over.down < EACH_WAY) || (overWhenUploadDone === true && !downAloneOver) ? " The two directions together went past the bound while the download alone did not: every byte, both ways and on every stream of the tunnel, takes its token from the tunnel's one bucket (an upload that is not held back, or a bucket per direction or per stream, lets twice the rate through)." : ""}`,
          hint: BUCKET,
        });
      }
      if (!complete()) {
        t.fail({
          message: `At ${KIB(RATE)}/s, ${KIB(2 * EACH_WAY)} should cross the tunnel in about ${((2 * EACH_WAY - RATE) / RATE).toFixed(1)} s; after 8 s only ${KIB(downloaded())} of the download and ${KIB(uploaded())} of the upload had arrived: the tunnel is far slower than its limit.`,
          hint: `${BUCKET} Refill the bucket as time passes (tokens = min(N, tokens + N × elapsed seconds)), and wake a waiting stream once enough tokens are there.`,
        });
      }
      const all = downloader.bytes();
      const body = all.subarray(all.indexOf("\r\n\r\n") + 4);
      t.expectEqual(`${body.length} bytes, sha256 ${sha256(body)}`, `${down.length} bytes, sha256 ${sha256(down)}`, { message: "The download the public user received differs from what the local service sent.", hint: INTACT });
      t.expectEqual(sha256(upload!.body()), sha256(up), { message: "The upload the local service received (its sha256) differs from what the public user sent.", hint: INTACT });
    },
  },
  {
    name: "the limit is per tunnel: two tunnels downloading at once each get the full rate",
    timeout: 15,
    async run(t) {
      const server = await startTunnelServer(t, { args: ["--max-bytes-per-sec", String(RATE)] });
      const first = t.rand.word();
      const names = [first, `${first}x${t.rand.int(10, 99)}`];
      const bodies = names.map((n) => bulkBytes(t.rand.key(n), EACH_TUNNEL));
      const local = await LocalHttpService.start(t, "local service", (req) => req.reply(200, [], bodies[Number(req.target.slice(1))]!));
      for (const name of names) await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, http: name, to: local.port });
      const users = await Promise.all(names.map((n) => StreamSocket.connect(t, `public user of ${n}`, server.httpPort)));
      // Both requests leave in the same instant; each download is timed from then to its last byte.
      const start = Date.now();
      const done = users.map(() => 0);
      users.forEach((u, i) => void u.write(`GET /${i} HTTP/1.1\r\nHost: ${names[i]}.localhost:${server.httpPort}\r\n\r\n`).catch(() => {}));
      await Promise.all(users.map(async (u, i) => {
        if (await u.until(() => u.ended, BOTH_WITHIN + 3000)) done[i] = (Date.now() - start) / 1000;
      }));
      const times = done.map((d, i) => (d > 0 ? `${d.toFixed(2)} s` : `not finished (${KIB(users[i]!.received)})`));
      t.log.note(`the downloads through ${names[0]} and ${names[1]} took ${times.join(" and ")}; each alone, at ${KIB(RATE)}/s from a full bucket, takes about ${((EACH_TUNNEL - RATE) / RATE).toFixed(1)} s`);
      const slow = done.some((d) => d === 0 || d > BOTH_WITHIN / 1000);
      if (slow) {
        const sharedMinimum = (2 * EACH_TUNNEL - RATE) / RATE;
        const shared = done.every((d) => d > 0) && Math.max(...done) >= 0.9 * sharedMinimum;
        t.fail({
          message: `Two tunnels, each with its own --max-bytes-per-sec ${RATE}, downloaded ${KIB(EACH_TUNNEL)} each at the same time: each should take about ${((EACH_TUNNEL - RATE) / RATE).toFixed(1)} s, as if alone.${shared ? " Together they got no more than one tunnel's rate: they drew on one bucket." : ""}`,
          expected: `both within ${BOTH_WITHIN / 1000} s (${KIB(2 * EACH_TUNNEL)} through one shared bucket would need at least ${sharedMinimum.toFixed(1)} s)`,
          received: times.join(" and "),
          hint: PER_TUNNEL,
        });
      }
      users.forEach((u, i) => {
        const all = u.bytes();
        const body = all.subarray(all.indexOf("\r\n\r\n") + 4);
        t.expectEqual(`${body.length} bytes, sha256 ${sha256(body)}`, `${EACH_TUNNEL} bytes, sha256 ${sha256(bodies[i]!)}`, { message: `The download through ${names[i]} differs from what the local service sent.`, hint: INTACT });
      });
    },
  },
  {
    name: "TCP tunnels are limited too: a fresh bucket lets a first bucketful through at once, a bucket quiet for 1.5 s holds no more than a bucketful",
    timeout: 20,
    async run(t) {
      const server = await startTunnelServer(t, { tcpPorts: 2, args: ["--max-bytes-per-sec", String(RATE)] });
      const data = bulkBytes(t.rand.key("tcp"), TCP_TOTAL);
      const local = await startTcpService(t, "local service", (conn) => {
        void conn.write(data, false).then(() => conn.end()).catch(() => {});
      });
      for (const port of server.tcpPorts) await startTunnelClient(t, { serverPort: server.controlPort, token: server.token, tcp: port, to: local });
      const quietFrom = Date.now();
      /** One download through the TCP tunnel on `port`: when the first piece arrived, and the first moment it was over the bound. */
      const download = async (port: number, who: string) => {
        const user = await StreamSocket.connect(t, who, port);
        const start = Date.now();
        user.log(`(the local service sends ${KIB(TCP_TOTAL)} at once, then its FIN)`);
        let firstAt = 0;
        let over: { at: number; got: number } | undefined;
        // Checked once more after the end: a tunnel without a limit may deliver everything between two looks.
        for (const deadline = start + 8000; ; await Bun.sleep(20)) {
          const ended = user.ended;
          const at = (Date.now() - start) / 1000;
          if (firstAt === 0 && user.received >= FIRST_PIECE) firstAt = Date.now() - start;
          if (user.received > RATE * (1 + at) + SLACK && !over) over = { at, got: user.received };
          if (ended || Date.now() > deadline || t.signal.aborted) break;
        }
        t.log.note(`${who}: the first ${KIB(FIRST_PIECE)} arrived after ${firstAt} ms; all ${KIB(user.received)} after ${((Date.now() - start) / 1000).toFixed(2)} s`);
        if (over) t.fail({ message: `With --max-bytes-per-sec ${RATE}, ${KIB(over.got)} had crossed a TCP tunnel ${over.at.toFixed(2)} s after its local service began sending (${who}): more than a full bucket plus ${over.at.toFixed(2)} s at ${KIB(RATE)}/s allows (with ${KIB(SLACK)} to spare).${quiet(who) ? " The tunnel had been quiet before: a bucket holds at most N tokens, however long it waits." : " The limit applies to TCP tunnels too."}`, hint: BUCKET });
        if (!user.ended) t.fail({ message: `${KIB(TCP_TOTAL)} through a TCP tunnel at ${KIB(RATE)}/s should take about ${((TCP_TOTAL - RATE) / RATE).toFixed(1)} s; after 8 s only ${KIB(user.received)} had arrived.`, hint: BUCKET });
        t.expectEqual(`${user.received} bytes, sha256 ${sha256(user.bytes())}`, `${TCP_TOTAL} bytes, sha256 ${sha256(data)}`, { message: "The bytes the public user received differ from what the local service sent.", hint: INTACT });
        return firstAt;
      };
      const quiet = (who: string) => who.includes("quiet");
      // The fresh one is the tunnel registered last: the other's bucket has been filling while the second client started.
      const firstAt = await download(server.tcpPorts[1]!, "user of a fresh tunnel");
      if (firstAt > AT_ONCE_MS) t.fail({ message: `A fresh tunnel's bucket starts full (RFC 2697 §3), so the first ${KIB(FIRST_PIECE)} (less than a bucketful) should cross at once; they took ${firstAt} ms.`, expected: `within ${AT_ONCE_MS} ms (from an empty bucket they take about ${((FIRST_PIECE / RATE) * 1000).toFixed(0)} ms)`, received: `${firstAt} ms`, hint: BUCKET });
      const waited = Date.now() - quietFrom;
      if (waited < QUIET_MS) await Bun.sleep(QUIET_MS - waited);
      t.log.note(`the first tunnel has been quiet for over ${((Date.now() - quietFrom) / 1000).toFixed(1)} s since it registered`);
      await download(server.tcpPorts[0]!, "user of a tunnel quiet since it registered");
    },
  },
]);
