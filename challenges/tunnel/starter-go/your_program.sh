#!/bin/sh
# syscraft runs this script in two roles:
#   ./your_program.sh server --control-port <port> --http-port <port> [--tcp-ports <port>,<port>] --token <token>
#       (later stages add --https-port/--cert/--key, --keepalive-ms, --max-streams, --idle-timeout-ms)
#   ./your_program.sh client --server 127.0.0.1:<port> --token <token> (--http <name> | --tcp <port>) --to 127.0.0.1:<port>
#       (stage 9 adds --keepalive-ms)
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
