#!/bin/sh
# The real implementation for the Git stages: git itself, with two
# adaptations.
#
# Before the index stages, `write-tree` writes the working directory (every
# file, as `git add -A` would stage it); real git writes the index. So when
# the repository has no index (.git/index), write-tree stages the working
# directory into a temporary index first and removes it after.
#
# `serve --port <port> [--host <host>] <dir>` (stage 18: the program as a
# git:// server for the repositories in <dir>) is git daemon serving <dir>
# the same way, pushes allowed.
set -eu
if [ "${1:-}" = "serve" ]; then
  shift
  port=9418 host=127.0.0.1 dir=
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) port=$2; shift 2 ;;
      --host) host=$2; shift 2 ;;
      *) dir=$1; shift ;;
    esac
  done
  exec git daemon --reuseaddr --listen="$host" --port="$port" --export-all --enable=receive-pack --base-path="$dir" "$dir"
fi
if [ "${1:-}" = "write-tree" ] && [ -z "${GIT_INDEX_FILE:-}" ]; then
  gitdir=$(git rev-parse --git-dir)
  if [ ! -e "$gitdir/index" ]; then
    index="$gitdir/syscraft-tmp-index"
    trap 'rm -f "$index"' EXIT
    GIT_INDEX_FILE="$index" git add -A
    GIT_INDEX_FILE="$index" git "$@"
    exit 0
  fi
fi
exec git "$@"
