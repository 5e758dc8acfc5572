// Entry point: `bun solutions/redis/main.ts --port <N> [--dir <path>]
// [--dbfilename <name>] [--<name> <value> ...]`.
//
// Binds 127.0.0.1 only. Prints "ready: listening on 127.0.0.1:<port>" on
// stdout once it accepts connections. Exits with code 1 and a message on
// stderr if the arguments are bad or the port cannot be bound.

import { ConfigArgsError, DEFAULT_HOST, parseArgs } from "./config.ts";
import { startConfiguredReplication } from "./replication/attach.ts";
import { startPersistence, type PersistenceOptions } from "./persistence/startup.ts";
import { startServer, type RunningServer, type ServerOptions } from "./server.ts";
import { createServerState } from "./state.ts";

/** Parts of the server a variant build may replace (see harness/fixtures/redis). */
export type MainOverrides = Pick<ServerOptions, "commands" | "keyspace" | "createConnection"> & { persistence?: PersistenceOptions };

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

/** Parses `argv`, starts the server and announces it; exits(1) on failure. */
export function runMain(argv: readonly string[], overrides: MainOverrides = {}): RunningServer {
  let config;
  try {
    config = parseArgs(argv);
  } catch (err) {
    if (err instanceof ConfigArgsError) fail(err.message);
    throw err;
  }

  // Load the RDB dump or the AOF before accepting connections.
  const state = createServerState({ ...overrides, config });
  try {
    startPersistence(state, overrides.persistence);
  } catch (err) {
    fail(`cannot load the data on disk: ${(err as Error).message}`);
  }

  let server: RunningServer;
  try {
    server = startServer({ ...overrides, state, host: DEFAULT_HOST, port: config.port });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === "EADDRINUSE") fail(`port ${config.port} is already in use (${DEFAULT_HOST}:${config.port})`);
    fail(`cannot listen on ${DEFAULT_HOST}:${config.port}: ${(err as Error).message ?? err}`);
  }

  // With --port 0 the OS picked the port: record the real one.
  config.set("port", String(server.port));
  process.stdout.write(`ready: listening on ${server.host}:${server.port}\n`);
  const replicationProblem = startConfiguredReplication(server.state);
  if (replicationProblem !== null) fail(replicationProblem);
  return server;
}

if (import.meta.main) runMain(Bun.argv.slice(2));
