import type { Socket } from "bun";
import { StageFailure } from "../../../harness/report/failure.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { TcpConnection } from "../../../harness/clients/tcp.ts";

/**
 * A TCP server the test plays (a fake master, an upstream): listens on a
 * loopback port claimed for the case, accepts connections as TcpConnections
 * (bytes logged like the clients'), every wait bounded, closed when the case ends.
 */
export class TcpListener {
  private readonly accepted: TcpConnection[] = [];
  private waiters: (() => void)[] = [];
  private count = 0;

  private constructor(
    private readonly t: CaseContext,
    readonly name: string,
    readonly port: number,
  ) {}

  static async listen(t: CaseContext, name: string): Promise<TcpListener> {
    const port = await t.port();
    const listener = new TcpListener(t, name, port);
    const server = Bun.listen<{ conn: TcpConnection | null }>({
      hostname: "127.0.0.1",
      port,
      exclusive: true,
      data: { conn: null },
      socket: {
        open: (socket) => {
          socket.data = { conn: listener.onAccept(socket as unknown as Socket<undefined>) };
        },
        data: (socket, chunk) => socket.data.conn?.onData(chunk),
        end: (socket) => socket.data.conn?.onEnd(),
        close: (socket) => socket.data.conn?.onEnd(),
        error: (socket) => socket.data.conn?.onEnd(),
      },
    });
    t.log.output(`(${name} listening on 127.0.0.1:${port})`);
    t.defer(() => {
      for (const c of listener.accepted) c.close();
      server.stop(true);
    });
    return listener;
  }

  private onAccept(socket: Socket<undefined>): TcpConnection {
    this.count++;
    const conn = TcpConnection.accepted({ host: "127.0.0.1", port: this.port, log: this.t.log, name: `${this.name} connection ${this.count}` }, socket);
    this.accepted.push(conn);
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
    return conn;
  }

  /** The next connection not yet taken, waiting at most `timeoutMs`. */
  async accept(timeoutMs: number, e: { message: string; hint: string }): Promise<TcpConnection> {
    const deadline = Date.now() + timeoutMs;
    while (this.taken >= this.accepted.length) {
      const left = deadline - Date.now();
      if (left <= 0) throw new StageFailure({ message: e.message, hint: e.hint });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.accepted[this.taken++]!;
  }

  private taken = 0;
}
