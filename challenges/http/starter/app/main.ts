// Your HTTP server. syscraft starts it as:  ./your_program.sh --port <port> --directory <dir>
// Read stages/http/01-status-line.md in your syscraft checkout first.
// Build HTTP yourself on TCP sockets: not Bun.serve, node:http or a framework.

/** The value after `--<name>` on the command line. */
function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

const args = Bun.argv.slice(2);
const port = Number(arg(args, "port") ?? 4221);
const directory = arg(args, "directory") ?? ".";

// Anything you print shows up in the test output when a stage fails.
console.log(`Logs from your program will appear here (port ${port}, directory ${directory}).`);

// Uncomment the code below to accept TCP connections; stage 1 asks you to answer each request.
//
// Bun.listen({
//   hostname: "127.0.0.1",
//   port,
//   socket: {
//     data(socket, bytes) {
//       // … read the request in `bytes`, then write a response (RFC 9112 §2.1) …
//       socket.write("HTTP/1.1 200 OK\r\n…");
//     },
//   },
// });
