# Your SQLite. syscraft runs it like sqlite3:  ./your_program.sh <file.db> "<SQL or dot-command>"
# Read stages/sql/01-dbinfo.md in your syscraft checkout first.
import sys

if len(sys.argv) < 3:
    print("usage: your_program.sh <file.db> <SQL or dot-command>", file=sys.stderr)
    sys.exit(1)
file, command = sys.argv[1], sys.argv[2]

# The first 100 bytes of the file are the database header.
with open(file, "rb") as f:
    header = f.read(100)

if command == ".dbinfo":
    # Stage 1: the page size is the 2-byte big-endian number at offset 16.
    page_size = int.from_bytes(header[16:18], "big")
    print(f"{'database page size:':<20} {page_size}")
    print("TODO: number of tables:")
else:
    # Anything you print to stderr shows up in the test output when a stage fails.
    print(f"not supported yet: {command}", file=sys.stderr)
    sys.exit(1)
