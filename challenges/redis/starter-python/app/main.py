# Your Redis server. syscraft starts it as:  ./your_program.sh --port <port>
# Read stages/redis/01-bind-to-port.md in your syscraft checkout first.
import socket
import sys


def parse_port(args: list[str]) -> int:
    """The port after `--port` (or in `--port=N`); 6379 when none is given."""
    value = None
    for i, arg in enumerate(args):
        if arg == "--port" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--port="):
            value = arg[len("--port="):]
    if value is None:
        return 6379
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        print(f"invalid --port: {value}", file=sys.stderr)
        sys.exit(2)
    return int(value)


port = parse_port(sys.argv[1:])

# Anything you print shows up in the test output when a stage fails.
print(f"Logs from your program will appear here (port {port}).", flush=True)

listening = False

# Uncomment the code below to pass stage 1.
#
# server = socket.create_server(("127.0.0.1", port))
# listening = True
# print(f"Listening on 127.0.0.1:{port}", flush=True)
# while True:
#     client, address = server.accept()  # A client connected.
#     # client.recv(4096) returns the bytes this client sent (stage 2 on);
#     # reply with client.sendall(...). Serving several clients at once
#     # (stage 4) needs threads or selectors.

if not listening:
    print("Not listening yet: uncomment the socket.create_server code in app/main.py to pass stage 1.", file=sys.stderr)
    sys.exit(1)
