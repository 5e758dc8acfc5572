#!/bin/sh
# The real resolver for the DNS resolver stages: Unbound, given the same
# arguments as a learner's program (--port <port> --zone <file>, then
# --resolver <ip>:<port> or --root-hints <file>). Writes an unbound.conf into
# the current directory (the case's temporary directory) that forwards every
# name to the --resolver server, or resolves from the root servers of the
# hints file, and runs unbound in the foreground on 127.0.0.1. The zone file
# is not served: the resolver stages only ask for names outside it.
set -eu
port=""
resolver=""
hints=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --zone) shift 2 ;;
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
if [ -n "$resolver" ]; then
  printf 'forward-zone:\n  name: "."\n  forward-addr: %s@%s\n' "${resolver%:*}" "${resolver##*:}" >> "$dir/unbound.conf"
else
  # The test's tree of name servers lives on 127.x.y.z addresses, port 53.
  printf 'server:\n  root-hints: "%s"\n  target-fetch-policy: "0 0 0 0 0"\n  harden-referral-path: no\n  aggressive-nsec: no\n' "$(cd "$(dirname "$hints")" && pwd)/$(basename "$hints")" >> "$dir/unbound.conf"
fi
exec unbound -d -c "$dir/unbound.conf"
