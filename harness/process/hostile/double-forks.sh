#!/bin/sh
# A hostile program: double-forks a listener into its own session (setsid -f) and exits, as a daemonizing server does; the listener never replies.
exec bun "$(dirname "$0")"/listen.ts daemon "$@"
