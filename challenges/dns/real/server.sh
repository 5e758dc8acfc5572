#!/bin/sh
# The real implementation for every DNS stage, given the learner's arguments:
# with --resolver or --root-hints (the resolver stages), Unbound; otherwise NSD.
here=$(dirname "$0")
for arg in "$@"; do
  case "$arg" in --resolver | --root-hints) exec "$here/unbound.sh" "$@" ;; esac
done
exec "$here/nsd.sh" "$@"
