// Your Redis server. syscraft starts it as:  ./your_program.sh --port <port>
// Read stages/redis/01-bind-to-port.md in your syscraft checkout first.

/** The port after `--port` (or in `--port=N`); 6379 when none is given. */
function parsePort(args: string[]): number {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--port") value = args[i + 1];
    else if (arg.startsWith("--port=")) value = arg.slice("--port=".length);
  }
  if (value === undefined) return 6379;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`invalid --port: ${value}`);
    process.exit(2);
  }
  return port;
}

const port = parsePort(Bun.argv.slice(2));

// Anything you print shows up in the test output when a stage fails.
console.log(`Logs from your program will appear here (port ${port}).`);

let listening = false;

// Uncomment the code below to pass stage 1.
//
// Bun.listen({
//   hostname: "127.0.0.1",
//   port,
//   socket: {
//     open(socket) {
//       // A client connected.
//     },
//     data(socket, data) {
//       // `data` is a Buffer with the bytes this client sent (stage 2 on).
//       // Reply with socket.write(...).
//     },
//     close(socket) {
//       // The client disconnected.
//     },
//   },
// });
// listening = true;
// console.log(`Listening on 127.0.0.1:${port}`);

if (!listening) {
  console.error("Not listening yet: uncomment the Bun.listen code in app/main.ts to pass stage 1.");
  process.exit(1);
}
