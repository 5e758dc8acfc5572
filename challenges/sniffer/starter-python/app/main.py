# Your packet sniffer. Stage 1 (stages/sniffer/01-open-a-capture.md) starts here:
# open socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003)) (ETH_P_ALL),
# bind it to the interface named by -i, and print one line per frame.
import argparse
import sys

parser = argparse.ArgumentParser(add_help=False)
parser.add_argument("-i")
parser.add_argument("-n", action="store_true")
parser.add_argument("-e", action="store_true")
parser.add_argument("-l", action="store_true")
parser.add_argument("-c")
values, rest = parser.parse_known_args()
print(f"listening on {values.i} (not yet: see stage 1)", file=sys.stderr)
sys.exit(1)
