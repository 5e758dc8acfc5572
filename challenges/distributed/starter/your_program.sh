#!/bin/sh
# syscraft runs this script once per node, with no arguments:
#   ./your_program.sh
# It reads one JSON message per line on stdin and writes one per line on stdout.
# To use another language, change the line below to start your program.
exec bun run "$(dirname "$0")/app/main.ts" "$@"
