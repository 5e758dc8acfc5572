#!/bin/sh
# The real implementation for the SQL stages: sqlite3 itself, with one
# adaptation. Debian's sqlite3 is built without the sqlite_dbpage virtual
# table that `.dbinfo` reads, so it answers `.dbinfo` with an error. For that
# one command this wrapper prints the lines the stages compare
# ("database page size:" and "number of tables:"), formatted as sqlite3's
# shell prints them ("%-20s %d"), from sqlite3's own PRAGMA page_size and
# sqlite_schema. Everything else goes to sqlite3 unchanged.
set -eu
if [ "$#" -eq 2 ] && [ "$2" = ".dbinfo" ]; then
  size=$(sqlite3 "$1" "PRAGMA page_size")
  tables=$(sqlite3 "$1" "SELECT count(*) FROM sqlite_schema WHERE type='table'")
  printf '%-20s %d\n' "database page size:" "$size" "number of tables:" "$tables"
  exit 0
fi
exec sqlite3 "$@"
