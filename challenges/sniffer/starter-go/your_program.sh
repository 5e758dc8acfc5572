#!/bin/sh
# syscraft runs this script as root, inside a network namespace, as:
#   ./your_program.sh -i <iface> -n [-e] [-l] [-q] [-t…] [-x|-X] [-c <count>] [-w <file>] [<filter expression>]
# or, to read a capture file:  ./your_program.sh -r <file> -n
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
