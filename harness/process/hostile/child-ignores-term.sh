#!/bin/sh
# A hostile program: starts a child that ignores SIGTERM, then listens and never replies.
sh -c "trap '' TERM; exec sleep $1" &
exec bun "$(dirname "$0")"/listen.ts silent "$@"
