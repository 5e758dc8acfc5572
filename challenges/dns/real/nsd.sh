#!/bin/sh
# The real authoritative server for the DNS stages: NSD, given the same
# arguments as a learner's program (--port <port> --zone <file>).
# Writes an nsd.conf for that port and zone into the current directory (the
# case's temporary directory) and runs nsd in the foreground, bound to
# 127.0.0.1 only.
set -eu
port=""
zone=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --zone) zone="$2"; shift 2 ;;
    *) echo "nsd.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$port" ] && [ -n "$zone" ] || { echo "usage: nsd.sh --port <port> --zone <file>" >&2; exit 2; }
command -v nsd >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
command -v nsd >/dev/null 2>&1 || { echo "nsd.sh: nsd is not installed (Debian package nsd)" >&2; exit 127; }
# The zone's name is its $ORIGIN line.
origin=$(sed -n 's/^\$ORIGIN[[:space:]]*\([^[:space:];]*\).*/\1/p' "$zone" | head -n 1)
[ -n "$origin" ] || { echo "nsd.sh: $zone has no \$ORIGIN line" >&2; exit 2; }
dir=$(pwd)
zonefile=$(cd "$(dirname "$zone")" && pwd)/$(basename "$zone")
cat > "$dir/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1
  port: $port
  do-ip6: no
  server-count: 1
  username: ""
  chroot: ""
  zonesdir: "$dir"
  database: ""
  zonelistfile: "$dir/zone.list"
  xfrdfile: "$dir/xfrd.state"
  xfrdir: "$dir"
  pidfile: "$dir/nsd.pid"
  logfile: "$dir/nsd.log"
  verbosity: 1
  hide-version: yes
  refuse-any: no
  # No response rate limiting: every test and benchmark query comes from 127.0.0.1.
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: "$origin"
  zonefile: "$zonefile"
CONF
exec nsd -d -c "$dir/nsd.conf"
