# Your DNS server. syscraft starts it as:  ./your_program.sh --port <port> --zone <zone file>
# Read stages/dns/01-reply-header.md in your syscraft checkout first.
import socket
import sys


def arg(args: list[str], name: str) -> str | None:
    """The value after `--<name>` on the command line."""
    try:
        return args[args.index(f"--{name}") + 1]
    except (ValueError, IndexError):
        return None


args = sys.argv[1:]
port = int(arg(args, "port") or 5353)
zone_file = arg(args, "zone")

# Anything you print shows up in the test output when a stage fails.
print(f"Logs from your program will appear here (port {port}, zone {zone_file}).", flush=True)

# Uncomment the code below to receive queries on UDP; stage 1 asks you to reply to each.
#
# sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# sock.bind(("127.0.0.1", port))
# while True:
#     query, sender = sock.recvfrom(65535)
#     reply = bytearray(12)
#     # … fill in the header from the query (RFC 1035 §4.1.1) …
#     sock.sendto(reply, sender)
