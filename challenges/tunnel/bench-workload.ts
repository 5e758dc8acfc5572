/**
 * One tunnel benchmark run, for `bun run bench tunnel`: starts the
 * implementation given as the argument (a command line) as a tunnel server
 * and a client registered as "bench", in front of a local HTTP service run
 * here (Bun.serve: the service is not what is measured), then sends the same
 * load through the tunnel and straight to the local service, in the same run.
 * Prints `<metric> <value>` lines.
 *
 *   requests:   h2load --h1, 20 connections, 3 s, GET /hello (5 bytes)
 *   throughput: curl downloads 256 MiB (best of 3)
 */
import { requireBinary } from "../../harness/clients/require.ts";
import { isListening } from "../../harness/process/listening.ts";
import { allocatePort, releasePort } from "../../harness/process/ports.ts";
import { GroupProcess } from "../../harness/process/spawn.ts";
import { shellArgv } from "../../harness/stage/program.ts";

const [program, mode] = Bun.argv.slice(2);
if (!program || (mode !== "requests" && mode !== "throughput")) {
  console.error("usage: bench-workload.ts <implementation command> requests|throughput");
  process.exit(2);
}

const BIG = Buffer.alloc(256 << 20, 7);
const ports = [await allocatePort(), await allocatePort(), await allocatePort()];
const [control, http, local] = ports as [number, number, number];
const procs: GroupProcess[] = [];
const service = Bun.serve({
  hostname: "127.0.0.1",
  port: local,
  fetch: (req) => (new URL(req.url).pathname === "/big" ? new Response(BIG) : new Response("hello")),
});

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`bench: ${what} within ${ms / 1000} s\n${procs.map((p) => p.output.tail(10)).join("\n")}`);
    await Bun.sleep(20);
  }
}

/** Runs a load generator without blocking this process's event loop (the local service runs here). */
async function run(argv: string[]): Promise<string> {
  const p = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => p.kill(), 60000);
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${argv.join(" ")} exited with ${code}: ${err}`);
  return out;
}

async function h2loadRate(url: string, authority?: string): Promise<number> {
  const out = await run(["h2load", "--h1", "-D", "3", "-c", "20", "-t", "2", ...(authority ? ["-H", `:authority: ${authority}`] : []), url]);
  const ok = /status codes: (\d+) 2xx/.exec(out);
  if (!ok || Number(ok[1]) === 0) throw new Error(`h2load got no 2xx responses from ${url}:\n${out}`);
  return Number(/finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out)?.[1] ?? 0);
}

async function downloadMBps(url: string, host?: string): Promise<number> {
  let best = 0;
  for (let i = 0; i < 3; i++) {
    const bps = Number(await run(["curl", "-sS", "-o", "/dev/null", "-w", "%{speed_download}", ...(host ? ["-H", `Host: ${host}`] : []), url]));
    best = Math.max(best, bps / 1e6);
  }
  return best;
}

try {
  requireBinary("curl", "curl");
  procs.push(new GroupProcess(shellArgv(program, ["server", "--control-port", String(control), "--http-port", String(http), "--token", "bench-token"]), { cwd: process.cwd() }));
  await until("the server did not listen", () => isListening(control, "tcp") && isListening(http, "tcp"), 10000);
  const client = new GroupProcess(shellArgv(program, ["client", "--server", `127.0.0.1:${control}`, "--token", "bench-token", "--http", "bench", "--to", `127.0.0.1:${local}`]), { cwd: process.cwd() });
  procs.push(client);
  await until("the client did not print its ready line", () => /^tunnel ready/m.test(client.stdout.text()), 10000);
  if (mode === "requests") {
    const tunnel = await h2loadRate(`http://127.0.0.1:${http}/hello`, "bench.localhost");
    const direct = await h2loadRate(`http://127.0.0.1:${local}/hello`);
    console.log(`tunnel-req/s ${tunnel}\ndirect-req/s ${direct}\ntunnel-%-of-direct ${(100 * tunnel) / direct}`);
  } else {
    const tunnel = await downloadMBps(`http://127.0.0.1:${http}/big`, "bench.localhost");
    const direct = await downloadMBps(`http://127.0.0.1:${local}/big`);
    console.log(`tunnel-MB/s ${tunnel}\ndirect-MB/s ${direct}\ntunnel-%-of-direct ${(100 * tunnel) / direct}`);
  }
} finally {
  await Promise.all(procs.map((p) => p.stop(1000)));
  service.stop(true);
  for (const p of ports) releasePort(p);
}
process.exit(0);
