#!/bin/sh
# A hostile program: listens on the port after the one it is given.
exec bun "$(dirname "$0")"/listen.ts wrong-port "$@"
