#!/bin/sh
# A hostile program: listens, then allocates memory without bound.
exec bun "$(dirname "$0")"/listen.ts memory "$@"
