/**
 * The listening part of the hostile programs (see hostile.test.ts):
 *   bun listen.ts <mode> <marker> --port N
 * modes: silent (accepts, never replies), partial (answers every command with
 * "+PO" and never finishes the reply), wrong-port (listens on N+1), daemon
 * (double-forks a silent listener with `setsid -f`, waits until it listens,
 * then exits 0 as a daemonizing server's parent does), memory (listens, then
 * allocates 1 MiB after 1 MiB, touching every page, without bound).
 */
import { connect } from "node:net";

const [mode, marker] = process.argv.slice(2);
const port = Number(process.argv[process.argv.indexOf("--port") + 1]);

function listen(on: number, data: (s: { write(b: string): number }) => void = () => {}): void {
  Bun.listen({ hostname: "127.0.0.1", port: on, socket: { data } });
}

function listening(on: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port: on }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

switch (mode) {
  case "silent":
    listen(port);
    break;
  case "partial":
    listen(port, (s) => s.write("+PO"));
    break;
  case "wrong-port":
    listen(port + 1);
    break;
  case "daemon": {
    Bun.spawn(["setsid", "-f", "bun", import.meta.path, "silent", marker!, "--port", String(port)], { stdio: ["ignore", "ignore", "ignore"] });
    for (let i = 0; i < 100 && !(await listening(port)); i++) await Bun.sleep(50);
    process.exit(0);
  }
  // falls through never: exit above
  case "memory": {
    listen(port);
    const hoard: Buffer[] = [];
    for (;;) {
      hoard.push(Buffer.alloc(1 << 20, 1));
      if (hoard.length % 16 === 0) await Bun.sleep(1);
    }
  }
  default:
    console.error(`listen.ts: unknown mode ${mode}`);
    process.exit(2);
}
setInterval(() => {}, 1 << 30);
