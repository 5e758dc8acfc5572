# Your tunnel. syscraft starts it in two roles:
#   ./your_program.sh server --control-port <port> --http-port <port> [--tcp-ports <port>,<port>] --token <token>
#       (later stages add --https-port/--cert/--key, --keepalive-ms, --max-streams, --idle-timeout-ms, --max-bytes-per-sec, --tls-port)
#   ./your_program.sh client --server 127.0.0.1:<port> --token <token> (--http <name> | --tcp <port>) --to 127.0.0.1:<port>
#       (stage 9 adds --keepalive-ms; stage 12 adds --tls <name> in place of --http/--tcp)
# Read stages/tunnel/01-registration.md in your syscraft checkout first.
# Build the tunnel on TCP sockets (socket, selectors or asyncio streams): no HTTP or tunnelling library.
import sys


def arg(args: list[str], name: str) -> str | None:
    """The value after `--<name>` on the command line."""
    try:
        return args[args.index(f"--{name}") + 1]
    except (ValueError, IndexError):
        return None


mode, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else (None, [])

# Anything you print shows up in the test output when a stage fails.
if mode == "server":
    print(f"server: control port {arg(args, 'control-port')}, HTTP port {arg(args, 'http-port')}", flush=True)
    # Listen on --control-port for tunnel clients and on --http-port for public HTTP.
elif mode == "client":
    print(f"client: would connect to {arg(args, 'server')} and forward to {arg(args, 'to')}", file=sys.stderr)
    # Connect to --server, register, then print "tunnel ready …" (and flush) once the server accepted.
else:
    print("usage: your_program.sh server … | client …", file=sys.stderr)
    sys.exit(2)
