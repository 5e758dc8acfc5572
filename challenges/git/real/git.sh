#!/bin/sh
# The real implementation for the Git stages: git itself, with one
# adaptation. Before the index stages, `write-tree` writes the working
# directory (every file, as `git add -A` would stage it); real git writes the
# index. So when the repository has no index (.git/index), write-tree stages
# the working directory into a temporary index first and removes it after.
set -eu
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
