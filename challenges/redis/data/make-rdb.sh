#!/usr/bin/env bash
# Writes the RDB test data of the redis `rdb` extension with a real
# redis-server (7.0): strings.rdb, expiry.rdb and types.rdb in this folder.
# The data is deterministic (fixed names and values; expiries are absolute
# times: far in the future (2100) or already past when the file is written).
#
#   bash challenges/redis/data/make-rdb.sh        (needs redis-server, redis-cli)
#
# The expected content of each file is written next to it as <name>.txt
# (one line per key, sorted, as the stages check it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
port=$(( 41000 + RANDOM % 8000 ))
work="$(mktemp -d)"
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

start() {
  redis-server --port "$port" --dir "$work" --dbfilename out.rdb --save '' --appendonly no \
    --enable-debug-command yes --daemonize yes --logfile "$work/log"
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && return; sleep 0.1; done
  echo "redis-server did not start" >&2; exit 1
}
cli() { redis-cli -p "$port" "$@" >/dev/null; }
save_as() {
  redis-cli -p "$port" save >/dev/null
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 || break; sleep 0.1; done
  cp "$work/out.rdb" "$here/$1"
  rm -f "$work/out.rdb"
}

# 1. strings.rdb: plain strings, integer-encoded strings (RDB_ENC_INT8/16/32),
#    a number too big for int32 (kept as a string), binary bytes, an empty
#    string, and long repetitive strings that redis-server LZF-compresses.
start
cli set greeting "hello world"
cli set empty ""
cli set int8 "-7"
cli set int16 "1234"
cli set int32 "305419896"
cli set int64 "4294967296"
cli set leading-zero "007"
cli set "key with spaces" "value with spaces"
printf 'a\x00b\xffc\r\n' | redis-cli -p "$port" -x set binary >/dev/null
cli set long-a "$(printf 'a%.0s' $(seq 1 500))"
cli set long-text "$(for i in $(seq 1 40); do printf 'the quick brown fox %d jumps over the lazy dog; ' "$i"; done)"
save_as strings.rdb

# 2. expiry.rdb: keys expiring in 2100 (4102444800000 ms = 2100-01-01), keys
#    whose expiry has passed when the file is written (active expiry off, so
#    redis-server still holds and saves them), and keys without expiry.
start
cli debug set-active-expire 0
cli set persistent "stays"
cli set future-1 "lives until 2100"
cli pexpireat future-1 4102444800000
cli set future-2 "also 2100"
cli pexpireat future-2 4102444801500
cli set gone-1 "expired"
cli pexpire gone-1 50
cli set gone-2 "expired too"
cli pexpire gone-2 50
cli rpush gone-list a b c
cli pexpire gone-list 50
sleep 0.3
save_as expiry.rdb

# 3. types.rdb: every value type in each of redis 7.0's encodings.
start
cli config set list-compress-depth 1
cli config set list-max-listpack-size 128
cli rpush list-small one two 3 -4 five
for i in $(seq 1 600); do printf 'RPUSH list-big item-%d\n' "$i"; done | redis-cli -p "$port" >/dev/null
cli rpush list-ints 1 -1 127 128 -129 32767 40000 -8388608 2147483647 9223372036854775807 -9223372036854775808
cli hset hash-small name alice age 42 city paris
for i in $(seq 1 300); do printf 'HSET hash-big field-%d value-%d\n' "$i" "$i"; done | redis-cli -p "$port" >/dev/null
cli hset hash-long-value f "$(printf 'x%.0s' $(seq 1 100))"
cli sadd set-ints 1 2 3 100 -5 70000 5000000000
cli sadd set-strings apple banana cherry
for i in $(seq 1 600); do printf 'SADD set-big m%d\n' "$i"; done | redis-cli -p "$port" >/dev/null
cli zadd zset-small 1 one 2.5 two-and-a-half -3 minus-three 10 ten
for i in $(seq 1 200); do printf 'ZADD zset-big %d.25 member-%d\n' "$i" "$i"; done | redis-cli -p "$port" >/dev/null
cli zadd zset-inf inf top -inf bottom 0 zero
save_as types.rdb

# The expected content, read back by redis-server from each file.
dump() {
  local file=$1
  cp "$here/$file" "$work/out.rdb"
  start
  {
    redis-cli -p "$port" --raw keys '*' | sort | while IFS= read -r key; do
      type=$(redis-cli -p "$port" type "$key")
      case $type in
        string) echo "$key string $(redis-cli -p "$port" get "$key" | head -c 60 | tr -d '\000')";;
        list) echo "$key list $(redis-cli -p "$port" llen "$key")";;
        hash) echo "$key hash $(redis-cli -p "$port" hlen "$key")";;
        set) echo "$key set $(redis-cli -p "$port" scard "$key")";;
        zset) echo "$key zset $(redis-cli -p "$port" zcard "$key")";;
      esac
    done
  } > "$here/${file%.rdb}.txt"
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  sleep 0.3
}
dump strings.rdb
dump expiry.rdb
dump types.rdb
echo "wrote $here/{strings,expiry,types}.rdb"
