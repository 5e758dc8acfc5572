#!/bin/sh
# syscraft runs this script once per node, with no arguments:
#   ./your_program.sh
# It reads one JSON message per line on stdin and writes one per line on stdout.
# It builds app/ with `go build` into .build/ when a .go file or go.mod is
# newer than the last build (so repeated starts are fast), then runs it.
# To use another language, change the lines below to start your program,
# passing the arguments on ("$@").
set -e
dir="$(cd "$(dirname "$0")" && pwd)"
bin="$dir/.build/program"
# go build needs a cache directory: its default is under $HOME (or $XDG_CACHE_HOME).
[ -n "${GOCACHE:-}${XDG_CACHE_HOME:-}${HOME:-}" ] || export GOCACHE="$dir/.build/gocache"
if [ ! -x "$bin" ] || [ -n "$(find "$dir/app" "$dir/go.mod" -newer "$bin" \( -name '*.go' -o -name go.mod \) -print -quit)" ]; then
  mkdir -p "$dir/.build"
  (cd "$dir" && go build -o "$bin.$$" ./app) || { rm -f "$bin.$$"; exit 1; }
  mv -f "$bin.$$" "$bin"
fi
exec "$bin" "$@"
