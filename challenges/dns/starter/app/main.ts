// Your DNS server. syscraft starts it as:  ./your_program.sh --port <port> --zone <zone file>
// Read stages/dns/01-reply-header.md in your syscraft checkout first.

/** The value after `--<name>` on the command line. */
function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

const args = Bun.argv.slice(2);
const port = Number(arg(args, "port") ?? 5353);
const zoneFile = arg(args, "zone");

// Anything you print shows up in the test output when a stage fails.
console.log(`Logs from your program will appear here (port ${port}, zone ${zoneFile}).`);

// Uncomment the code below to receive queries on UDP; stage 1 asks you to reply to each.
//
// await Bun.udpSocket({
//   hostname: "127.0.0.1",
//   port,
//   socket: {
//     data(socket, query, fromPort, fromAddress) {
//       const reply = new Uint8Array(12);
//       // … fill in the header from the query (RFC 1035 §4.1.1) …
//       socket.send(reply, fromPort, fromAddress);
//     },
//   },
// });
