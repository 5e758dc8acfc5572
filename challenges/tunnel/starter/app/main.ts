// Your tunnel. syscraft starts it in two roles:
//   ./your_program.sh server --control-port <port> --http-port <port> [--tcp-ports <port>,<port>] --token <token>
//       (later stages add --https-port/--cert/--key, --keepalive-ms, --max-streams, --idle-timeout-ms, --max-bytes-per-sec, --tls-port)
//   ./your_program.sh client --server 127.0.0.1:<port> --token <token> (--http <name> | --tcp <port>) --to 127.0.0.1:<port>
//       (stage 9 adds --keepalive-ms; stage 12 adds --tls <name> in place of --http/--tcp)
// Read stages/tunnel/01-registration.md in your syscraft checkout first.
// Build the tunnel on TCP sockets (node:net or Bun.listen/Bun.connect): no HTTP or tunnelling library.

/** The value after `--<name>` on the command line. */
function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

const [mode, ...args] = Bun.argv.slice(2);

// Anything you print shows up in the test output when a stage fails.
if (mode === "server") {
  console.log(`server: control port ${arg(args, "control-port")}, HTTP port ${arg(args, "http-port")}`);
  // Listen on --control-port for tunnel clients and on --http-port for public HTTP.
} else if (mode === "client") {
  console.error(`client: would connect to ${arg(args, "server")} and forward to ${arg(args, "to")}`);
  // Connect to --server, register, then print "tunnel ready …" once the server accepted.
} else {
  console.error('usage: your_program.sh server … | client …');
  process.exit(2);
}
