#!/bin/sh
# The real resolver for the DNS resolver stages: Unbound, given the same
# arguments as a learner's program (--port <port> --zone <file>, then
# --resolver <ip>:<port> or --root-hints <file>). Writes an unbound.conf into
# the current directory (the case's temporary directory) that forwards every
# name to the --resolver server, or resolves from the root servers of the
# hints file, and serves the zone file itself authoritatively (an auth-zone),
# and runs unbound in the foreground on 127.0.0.1.
set -eu
port=""
zone=""
resolver=""
hints=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --zone) zone="$2"; shift 2 ;;
    --resolver) resolver="$2"; shift 2 ;;
    --root-hints) hints="$2"; shift 2 ;;
    # Unbound sizes its caches in bytes, not answers (see stages/dns/resolver/04-cache-bound.md).
    --cache-size) shift 2 ;;
    *) echo "unbound.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$port" ] && [ -n "$resolver$hints" ] || { echo "usage: unbound.sh --port <port> --zone <file> (--resolver <ip>:<port> | --root-hints <file>)" >&2; exit 2; }
command -v unbound >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
command -v unbound >/dev/null 2>&1 || { echo "unbound.sh: unbound is not installed (Debian package unbound)" >&2; exit 127; }
dir=$(pwd)
cat > "$dir/unbound.conf" <<CONF
server:
  interface: 127.0.0.1
  port: $port
  do-ip6: no
  username: ""
  chroot: ""
  directory: "$dir"
  pidfile: "$dir/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 1
  num-threads: 1
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  module-config: "iterator"
  qname-minimisation: no
  prefetch: no
  serve-expired: no
  # The test's upstream speaks plain UDP on a loopback port.
  tcp-upstream: no
  ratelimit: 0
  ip-ratelimit: 0
  # The tests' names are under test., which Unbound otherwise answers itself (RFC 6761).
  local-zone: "test." nodefault
remote-control:
  control-enable: no
CONF
if [ -n "$zone" ]; then
  # The program's own zone is answered from the zone file, authoritatively, as the stages ask.
  origin=$(sed -n 's/^\$ORIGIN[[:space:]]*\([^[:space:];]*\).*/\1/p' "$zone" | head -n 1)
  [ -n "$origin" ] || { echo "unbound.sh: $zone has no \$ORIGIN line" >&2; exit 2; }
  # Unbound's zone file reader stumbles on some of what RFC 1035 allows (a blank owner after a
  # parenthesised SOA), so it reads the zone as NSD prints it back (nsd-checkzone -p).
  command -v nsd-checkzone >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
  command -v nsd-checkzone >/dev/null 2>&1 || { echo "unbound.sh: nsd-checkzone is not installed (Debian package nsd)" >&2; exit 127; }
  nsd-checkzone -p "$origin" "$zone" | grep -v '^; zone ' > "$dir/unbound-zone.db"
  printf 'auth-zone:\n  name: "%s"\n  zonefile: "%s"\n  for-downstream: yes\n  for-upstream: yes\n  fallback-enabled: no\n' "$origin" "$dir/unbound-zone.db" >> "$dir/unbound.conf"
fi
if [ -n "$resolver" ]; then
  printf 'forward-zone:\n  name: "."\n  forward-addr: %s@%s\n' "${resolver%:*}" "${resolver##*:}" >> "$dir/unbound.conf"
else
  # The test's tree of name servers lives on 127.x.y.z addresses, port 53.
  printf 'server:\n  root-hints: "%s"\n  target-fetch-policy: "0 0 0 0 0"\n  harden-referral-path: no\n  aggressive-nsec: no\n' "$(cd "$(dirname "$hints")" && pwd)/$(basename "$hints")" >> "$dir/unbound.conf"
fi
exec unbound -d -c "$dir/unbound.conf"
