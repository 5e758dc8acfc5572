export {};
/**
 * A server that answers every command with -LOADING for its first <ms>
 * milliseconds (forever if <ms> is "forever"), as redis-server does while it
 * loads its AOF or RDB file, then +PONG:
 *   bun loading.ts <ms> --port N
 */
const ms = process.argv[2] === "forever" ? Infinity : Number(process.argv[2]);
const port = Number(process.argv[process.argv.indexOf("--port") + 1]);
const started = Date.now();
Bun.listen({
  hostname: "127.0.0.1",
  port,
  socket: {
    data(s) {
      s.write(Date.now() - started < ms ? "-LOADING Redis is loading the dataset in memory\r\n" : "+PONG\r\n");
    },
  },
});
