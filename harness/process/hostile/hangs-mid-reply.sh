#!/bin/sh
# A hostile program: listens, and answers every command with the start of a reply it never finishes.
exec bun "$(dirname "$0")"/listen.ts partial "$@"
