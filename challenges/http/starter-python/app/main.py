# Your HTTP server. syscraft starts it as:  ./your_program.sh --port <port> --directory <dir>
# Read stages/http/01-status-line.md in your syscraft checkout first.
# Build HTTP yourself on TCP sockets: not http.server, a framework or another HTTP library.
import socket
import sys


def arg(args: list[str], name: str) -> str | None:
    """The value after `--<name>` on the command line."""
    try:
        return args[args.index(f"--{name}") + 1]
    except (ValueError, IndexError):
        return None


args = sys.argv[1:]
port = int(arg(args, "port") or 4221)
directory = arg(args, "directory") or "."

# Anything you print shows up in the test output when a stage fails.
print(f"Logs from your program will appear here (port {port}, directory {directory}).", flush=True)

# Uncomment the code below to accept TCP connections; stage 1 asks you to answer each request.
#
# server = socket.create_server(("127.0.0.1", port))
# while True:
#     client, address = server.accept()
#     request = client.recv(65536)
#     # … read the request in `request`, then write a response (RFC 9112 §2.1) …
#     client.sendall("HTTP/1.1 200 OK\r\n…".encode())
