import { TcpConnection } from "../../harness/clients/tcp.ts";
import { stage } from "../../harness/stage/define.ts";

export default stage(import.meta, [
  {
    name: "the program listens on the port it is given",
    async run(t) {
      const redis = await t.start();
      const conn = await TcpConnection.open({ host: redis.host, port: redis.port, log: t.log, name: "client" });
      conn.close();
    },
  },
  {
    name: "two copies run side by side on different ports",
    async run(t) {
      // A program that ignores --port and always binds 6379 cannot start twice.
      const first = await t.start();
      const second = await t.start();
      for (const [name, p] of [["first", first], ["second", second]] as const) {
        const conn = await TcpConnection.open({ host: p.host, port: p.port, log: t.log, name: `${name} copy` });
        conn.close();
      }
    },
  },
  {
    name: "the program keeps running after clients connect and disconnect",
    async run(t) {
      const redis = await t.start();
      // Each client connects and closes without sending anything; the next one must still be accepted.
      for (let i = 1; i <= 3; i++) {
        const conn = await TcpConnection.open({ host: redis.host, port: redis.port, log: t.log, name: `client ${i}` });
        conn.close();
        await Bun.sleep(300);
        const gone = await t.exited();
        if (gone) {
          t.fail({
            message: `Your program exited with code ${gone.process.exitCode} after client ${i} connected and closed its connection.`,
            hint: "A client closing its connection is normal: handle it (close that socket, forget the connection) and keep listening for the next one.",
          });
        }
      }
    },
  },
]);
