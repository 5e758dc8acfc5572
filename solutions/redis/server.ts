// The TCP accept loop (Bun.listen): one Connection per accepted socket, all
// sharing one ServerState. Also starts the keyspace's active expiry.

import { DEFAULT_HOST } from "./config.ts";
import { Connection, type ConnectionHandler, type SocketLike } from "./connection.ts";
import { createServerState, type ServerState, type ServerStateOptions } from "./state.ts";

/** Builds the handler for a new connection (default: a Connection). */
export type ConnectionFactory = (socket: SocketLike, state: ServerState) => ConnectionHandler;

export interface ServerOptions extends ServerStateOptions {
  /** Address to bind; 127.0.0.1 unless given. */
  host?: string;
  /** TCP port; 0 lets the OS pick one (see RunningServer.port). */
  port: number;
  /** Use this state instead of building one from config/commands/keyspace. */
  state?: ServerState;
  createConnection?: ConnectionFactory;
}

export interface RunningServer {
  readonly host: string;
  /** The port actually bound. */
  readonly port: number;
  readonly state: ServerState;
  /** Stops listening, closes every connection and stops active expiry. */
  stop(): void;
}

interface SocketData {
  conn: ConnectionHandler | null;
}

/**
 * Binds and starts serving. Throws if the address cannot be bound (e.g.
 * error.code === "EADDRINUSE" when the port is taken).
 */
export function startServer(options: ServerOptions): RunningServer {
  const host = options.host ?? DEFAULT_HOST;
  const state = options.state ?? createServerState(options);
  const createConnection: ConnectionFactory =
    options.createConnection ?? ((socket, s) => new Connection(socket, s));

  const listener = Bun.listen<SocketData>({
    hostname: host,
    port: options.port,
    // Without this Bun may share the port (SO_REUSEPORT) with another
    // process instead of failing with EADDRINUSE.
    exclusive: true,
    // Keep our sending side open after the peer half-closes, so replies to
    // its last requests are still delivered.
    allowHalfOpen: true,
    data: { conn: null },
    socket: {
      binaryType: "buffer",
      open(socket) {
        state.stats.connectionsReceived++;
        state.stats.connectedClients++;
        socket.setNoDelay(true);
        socket.data = { conn: createConnection(socket, state) };
      },
      data(socket, chunk) {
        socket.data.conn?.onData(chunk);
      },
      drain(socket) {
        socket.data.conn?.onDrain();
      },
      end(socket) {
        socket.data.conn?.onEnd();
      },
      close(socket) {
        const conn = socket.data.conn;
        if (conn === null) return;
        socket.data = { conn: null };
        state.stats.connectedClients--;
        conn.onClose();
      },
      error(socket, err) {
        console.error(`connection error (${socket.remoteAddress}):`, err);
        socket.end();
      },
    },
  });

  for (const db of state.databases) db.startActiveExpiry();

  return {
    host,
    port: listener.port,
    state,
    stop() {
      for (const db of state.databases) db.stopActiveExpiry();
      listener.stop(true);
    },
  };
}
