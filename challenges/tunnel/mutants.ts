/**
 * bun challenges/tunnel/mutants.ts [--only=N] [--seed=S]
 *
 * Hand-written mutants of the reference tunnel, each a different reading of
 * a stage's .md than the one its tests were written from (or a plain slip),
 * run through the stage whose .md it contradicts. Unlike the fixtures
 * (harness/fixtures/tunnel/, switches in the reference), these are text
 * edits to a copy of solutions/tunnel/, written after the tests, to find
 * what the tests do not check. Prints, per mutant, caught or survived; the
 * score is in challenges/tunnel/README.md ("Promises and checks").
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "../../harness/paths.ts";
import { runStagesInSubprocess } from "../../harness/stage/subprocess.ts";

interface Mutant {
  stage: number;
  /** The reading of the .md (or the slip) it stands for. */
  reading: string;
  file: string;
  find: string;
  replace: string;
  /** Why it cannot be caught, for a mutant that changes nothing a black-box test may ask for. */
  equivalent?: string;
}

export const mutants: Mutant[] = [
  { stage: 1, reading: "prints its ready line as soon as it has connected, before the server accepts", file: "client.ts", find: `sock.on("connect", () => session.send(`, replace: `sock.on("connect", () => console.log("tunnel ready: connected") || session.send(` },
  { stage: 1, reading: "a refused client says why but exits with status 0", file: "client.ts", find: "console.error(`tunnel: registration refused: ${failed}`);\n          process.exit(1);", replace: "console.error(`tunnel: registration refused: ${failed}`);\n          process.exit(0);" },
  { stage: 1, reading: "the ready line goes to stderr, with the other messages", file: "client.ts", find: "console.log(`tunnel ready: ${reply.url}`);", replace: "console.error(`tunnel ready: ${reply.url}`);" },
  { stage: 1, reading: "tokens compared case-insensitively", file: "server.ts", find: "hello.token !== o.token", replace: "String(hello.token).toLowerCase() !== o.token.toLowerCase()" },
  { stage: 2, reading: "the tunnel name is the host name without its last label (mango.localhost → mango)", file: "server.ts", find: `return hostname.split(".")[0]!.toLowerCase();`, replace: `return hostname.split(".").slice(0, -1).join(".").toLowerCase();` },
  { stage: 2, reading: "the server adds X-Forwarded-For, as proxies do", file: "server.ts", find: `      openStream(t, sock, "http", head);\n      sock.resume();`, replace: `      head = Buffer.from(head.toString("latin1").replace("\\r\\n", "\\r\\nX-Forwarded-For: 127.0.0.1\\r\\n"), "latin1");\n      openStream(t, sock, "http", head);\n      sock.resume();` },
  { stage: 2, reading: "a local service that refuses the connection is a gateway timeout (504)", file: "server.ts", find: `sock.end(httpError("502 Bad Gateway", \`tunnel: \${reason}\`));`, replace: `sock.end(httpError("504 Gateway Timeout", \`tunnel: \${reason}\`));` },
  { stage: 3, reading: "DATA frames of up to 1 MiB instead of 32 KiB", file: "protocol.ts", find: "export const MAX_DATA = 32 * 1024;", replace: "export const MAX_DATA = 1024 * 1024;", equivalent: "the framing is the program's own: frame sizes are not observable from outside" },
  { stage: 4, reading: "grant back when half the window is counted, not a quarter", file: "session.ts", find: "if (this.unacked >= INITIAL_WINDOW / 4 && !this.done) {", replace: "if (this.unacked >= INITIAL_WINDOW / 2 && !this.done) {", equivalent: "a valid design: the .md allows holding up to half a window before granting" },
  { stage: 4, reading: "a sender may overdraw its window by one frame", file: "session.ts", find: "let n = Math.min(head.length, this.sendWindow, MAX_DATA);", replace: "let n = Math.min(head.length, MAX_DATA);", equivalent: "32 KiB beyond a 256 KiB window: still bounded, and not observable as head-of-line blocking or unbounded buffering" },
  { stage: 5, reading: "the server ignores the client's END (the public user never sees the local service's FIN)", file: "session.ts", find: "else if (f.type === FrameType.End && !this.o.ignoreEnd) s.onEnd();", replace: "else if (f.type === FrameType.End && this.o.onOpen) s.onEnd();" },
  { stage: 5, reading: "bytes to the local service written as UTF-8 text", file: "session.ts", find: "this.sock.write(this.o.textDecoding ? payload.toString(\"utf8\") : payload, () => {", replace: "this.sock.write(payload.toString(\"utf8\"), () => {" },
  { stage: 6, reading: "the backoff is not reset after a successful registration", file: "client.ts", find: "if (!o.noBackoffReset) attempt = 0;", replace: "" },
  { stage: 6, reading: "no jitter: every client waits exactly 100, 200, 400 ms…", file: "client.ts", find: "Math.round(base * (0.8 + 0.4 * Math.random()))", replace: "base" },
  { stage: 6, reading: "in-flight requests get 504 Gateway Timeout when the connection is lost", file: "server.ts", find: `else if (kind === "http" && s.delivered === 0 && !sock.destroyed && !o.no502) sock.end(httpError("502 Bad Gateway", \`tunnel: \${reason}\`));`, replace: `else if (kind === "http" && s.delivered === 0 && !sock.destroyed && !o.no502) sock.end(httpError(reason === "tunnel connection lost" ? "504 Gateway Timeout" : "502 Bad Gateway", \`tunnel: \${reason}\`));` },
  { stage: 7, reading: "HTTPS connections go to the first tunnel whatever their Host", file: "server.ts", find: "o.httpsToFirstTunnel && sock instanceof tls.TLSSocket", replace: "sock instanceof tls.TLSSocket" },
  { stage: 8, reading: "a public connection quiet for half a second is closed", file: "server.ts", find: "if (o.closeQuietConnections && o.idleTimeoutMs === undefined)", replace: "if (o.idleTimeoutMs === undefined)" },
  { stage: 9, reading: "any refusal during a reconnection ends the client, even \"taken\" for its own old name", file: "client.ts", find: "if (!registered || /token/.test(failed) || o.exitWhenTaken) {", replace: "if (true) {" },
  { stage: 10, reading: "--max-streams N lets N+1 in", file: "server.ts", find: "t.active >= o.maxStreams &&", replace: "t.active > o.maxStreams &&" },
  { stage: 10, reading: "the idle timeout closes the public side only", file: "server.ts", find: "sock.setTimeout(o.idleTimeoutMs, () => stream.abort(IDLE, true));", replace: "sock.setTimeout(o.idleTimeoutMs, () => stream.abort(IDLE, false));" },
  { stage: 10, reading: "the 503 is sent, and the request forwarded anyway", file: "server.ts", find: "if (!o.forwardRefused) return;", replace: "" },
  { stage: 11, reading: "a bucket holds two seconds' worth", file: "server.ts", find: "o.bucketUncapped ? Infinity : o.maxBytesPerSec,", replace: "o.bucketUncapped ? Infinity : 2 * o.maxBytesPerSec," },
  { stage: 11, reading: "the limit is per stream: each connection gets its own bucket", file: "server.ts", find: `bucket: o.bucketHttpOnly && kind !== "http" ? undefined : t.bucket,`, replace: `bucket: o.maxBytesPerSec === undefined ? undefined : new TokenBucket(o.maxBytesPerSec),` },
  { stage: 12, reading: "the unrecognized_name alert sent as a warning (level 1)", file: "server.ts", find: "sock.end(o.alertAsWarning ? Buffer.from([21, 3, 3, 0, 2, 1, 112]) : UNRECOGNIZED_NAME_ALERT)", replace: "sock.end(Buffer.from([21, 3, 3, 0, 2, 1, 112]))" },
  { stage: 12, reading: "the TLS tunnel is picked by the whole SNI name, not its first label", file: "server.ts", find: "o.sniCaseSensitive ? sni.split(\".\")[0] : tunnelName(sni);", replace: "o.sniCaseSensitive ? sni.split(\".\")[0] : sni.toLowerCase();" },
];

if (import.meta.main) {
  const { values } = parseArgs({ args: Bun.argv.slice(2), options: { only: { type: "string" }, seed: { type: "string" } }, strict: true });
  const solution = join(ROOT, "solutions", "tunnel");
  const work = join(ROOT, ".mutants", `hand-${process.pid}`);
  const chosen = values.only === undefined ? mutants : [mutants[Number(values.only) - 1]!];
  let caught = 0;
  const survived: Mutant[] = [];
  try {
    for (const [i, m] of chosen.entries()) {
      rmSync(work, { recursive: true, force: true });
      mkdirSync(work, { recursive: true });
      cpSync(solution, join(work, "tunnel"), { recursive: true });
      const file = join(work, "tunnel", m.file);
      const src = readFileSync(file, "utf8");
      if (src.split(m.find).length !== 2) throw new Error(`mutant ${i + 1} (${m.reading}): its text is not found exactly once in solutions/tunnel/${m.file}`);
      writeFileSync(file, src.replace(m.find, () => m.replace));
      const flags = [`--impl=bun ${join(work, "tunnel", "main.ts")}`, "--bail=1", ...(values.seed ? [`--seed=${values.seed}`] : [])];
      const run = await runStagesInSubprocess({ selection: `--stage-only=tunnel/${m.stage}`, flags, stdio: "capture" });
      const failed = run.results.find((r) => !r.ok);
      const ok = failed !== undefined || run.exitCode !== 0;
      if (ok) caught++;
      else survived.push(m);
      console.log(`${String(i + 1).padStart(2)} tunnel/${m.stage} ${ok ? "caught  " : "SURVIVED"} ${m.reading}${failed ? `  (by: ${failed.case})` : ""}${!ok && m.equivalent ? `  [equivalent: ${m.equivalent}]` : ""}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    const root = join(ROOT, ".mutants");
    if (existsSync(root) && readdirSync(root).length === 0) rmSync(root, { recursive: true, force: true });
  }
  console.log(`\ntunnel: ${caught} of ${chosen.length} hand-written mutants caught; ${survived.length} survived (${survived.filter((m) => m.equivalent).length} of them equivalent)`);
}
