// Shared by the replication stages: the test playing a master, and polling INFO.
import type { RedisCli } from "../../../challenges/redis/clients/redis.ts";
import { RespConnection } from "../../../challenges/redis/clients/redis.ts";
import { encodeCommand, showReply } from "../../../challenges/redis/clients/resp.ts";
import { TcpListener } from "../../../challenges/redis/clients/tcp-listener.ts";
import { StageFailure } from "../../../harness/report/failure.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";

/** The smallest RDB a Redis 7.0 replica loads: header, EOF opcode, checksum 0 (= not checked). */
export const EMPTY_RDB = Buffer.concat([Buffer.from("REDIS0010", "latin1"), Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 0, 0])]);

/** Reads one command the program sent on the link, as its words (bulk strings). */
export async function readCommand(link: RespConnection, expecting: string, hint: string): Promise<string[]> {
  const { value } = await link.reply(3000, { message: `The test (playing the master) was waiting for ${expecting} from your replica.`, hint });
  if (value.type !== "array" || value.value === null || value.value.some((v) => v.type !== "bulk" || v.value === null)) {
    throw new StageFailure({ message: `Your replica sent something that is not a command (an array of bulk strings) when the master expected ${expecting}.`, received: showReply(value), hint });
  }
  return value.value.map((v) => (v.type === "bulk" && v.value ? v.value.toString("latin1") : ""));
}

export function show(words: string[]): string {
  return words.map((w) => (/^[!-~]+$/.test(w) ? w : JSON.stringify(w))).join(" ");
}

/** Starts the program as a replica of a master the test plays; returns the accepted link. */
export async function replicaOfTest(t: CaseContext): Promise<{ replica: Program; link: RespConnection; masterPort: number }> {
  const master = await TcpListener.listen(t, "master (played by the test)");
  const replica = await t.start({ extraArgs: ["--replicaof", `127.0.0.1 ${master.port}`] });
  const conn = await master.accept(3000, {
    message: `Your program was started with --replicaof "127.0.0.1 ${master.port}" but did not connect to 127.0.0.1:${master.port} within 3 s.`,
    hint: 'Read the --replicaof "<host> <port>" argument at start-up and open a TCP connection to that master.',
  });
  return { replica, link: RespConnection.wrap(conn), masterPort: master.port };
}

export const HANDSHAKE_HINT =
  "A replica's handshake is, in order and each after the master's reply: PING (+PONG), REPLCONF listening-port <your port> (+OK), REPLCONF capa psync2 (+OK; Redis sends capa eof capa psync2), then PSYNC ? -1.";

/** Plays the master's side of the handshake and checks each command; returns after PSYNC was read. */
export async function handshake(t: CaseContext, link: RespConnection, replicaPort: number): Promise<void> {
  const ping = await readCommand(link, "PING", HANDSHAKE_HINT);
  expectWords(t, ping, (w) => w.length === 1 && w[0]!.toUpperCase() === "PING", "PING", "The first thing a replica sends its master is PING.");
  await link.send("+PONG\r\n");
  const port = await readCommand(link, `REPLCONF listening-port ${replicaPort}`, HANDSHAKE_HINT);
  expectWords(t, port, (w) => w.length === 3 && w[0]!.toUpperCase() === "REPLCONF" && w[1]!.toLowerCase() === "listening-port" && w[2] === String(replicaPort), `REPLCONF listening-port ${replicaPort}`, "After +PONG, tell the master the port your server listens on (the one given by --port).");
  await link.send("+OK\r\n");
  const capa = await readCommand(link, "REPLCONF capa psync2", HANDSHAKE_HINT);
  expectWords(t, capa, (w) => w[0]!.toUpperCase() === "REPLCONF" && w.length >= 3 && w.length % 2 === 1 && w.slice(1).some((x, i) => i % 2 === 0 && x.toLowerCase() === "capa") && w.includes("psync2"), "REPLCONF capa psync2 (Redis sends: REPLCONF capa eof capa psync2)", "Then announce your capabilities: REPLCONF capa psync2.");
  await link.send("+OK\r\n");
  const psync = await readCommand(link, "PSYNC ? -1", HANDSHAKE_HINT);
  expectWords(t, psync, (w) => w.length === 3 && w[0]!.toUpperCase() === "PSYNC" && w[1] === "?" && w[2] === "-1", "PSYNC ? -1", "A replica that has never synced asks for a full synchronisation: PSYNC ? -1 (no replication ID yet, offset -1).");
}

function expectWords(t: CaseContext, got: string[], ok: (w: string[]) => boolean, expected: string, hint: string): void {
  if (!ok(got)) t.fail({ message: "Your replica sent the wrong command during the handshake.", expected, received: show(got), hint: `${hint} ${HANDSHAKE_HINT}` });
}

/** Answers PSYNC with a full resync: +FULLRESYNC, then the RDB as "$<len>\r\n<bytes>". */
export async function fullResync(link: RespConnection, replid: string, offset: number, rdb = EMPTY_RDB): Promise<void> {
  await link.send(Buffer.concat([Buffer.from(`+FULLRESYNC ${replid} ${offset}\r\n$${rdb.length}\r\n`, "latin1"), rdb]));
}

/** A command as the master sends it in the replication stream. */
export function streamCommand(...words: string[]): Buffer {
  return encodeCommand(words);
}

/** Polls `INFO replication` until `ready(text)` holds (bounded); returns the last text. */
export async function waitForInfo(t: CaseContext, cli: RedisCli, ready: (info: string) => boolean, timeoutMs: number, what: string, hint: string): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let info = "";
  for (;;) {
    info = (await cli.run(["INFO", "replication"])).replace(/\r/g, "");
    if (ready(info)) return info;
    if (Date.now() >= deadline) t.fail({ message: `${what} within ${timeoutMs / 1000} s.`, received: info, hint });
    await Bun.sleep(100);
  }
}

/** Polls a redis-cli command until its output is `expected` (bounded). */
export async function waitForOutput(t: CaseContext, cli: RedisCli, args: string[], expected: string, timeoutMs: number, message: string, hint: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await cli.run(args);
    if (out === expected) return;
    if (Date.now() >= deadline) t.fail({ message: `${message} (waited ${timeoutMs / 1000} s)`, expected, received: out, hint });
    await Bun.sleep(100);
  }
}

export function infoField(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, "m").exec(info)?.[1];
}
