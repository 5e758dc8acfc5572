#!/bin/sh
# The real implementation for the HTTP stages: nginx, given the same arguments
# as a learner's program (--port <port> --directory <dir>, and for the tls
# extension --tls-port <port> --cert <pem> --key <pem>, for the proxy
# extension --proxy <config>, translated by nginx-proxy.awk). Writes an
# nginx.conf for that port and directory into the current directory (the
# case's temporary directory) and runs nginx in the background with its pid
# file, logs, temporary files and listeners there too.
#
# One port for HTTP/1.1 and HTTP/2 with prior knowledge: nginx 1.22 serves
# cleartext HTTP/2 only on a listener of its own (`listen ... http2` refuses
# HTTP/1.1 there), so nginx listens on two Unix sockets in this directory
# (http1.sock, and http2.sock with http2) and h2c-demux.ts, in the
# foreground on 127.0.0.1:<port>, sends each connection to one of them by its
# first bytes (the HTTP/2 preface or not) and copies bytes both ways.
# The benchmark (challenges/http/bench.ts) leaves a marker file in the
# directory so that nginx listens on the port itself, with no relay in the
# way: `nginx-http1-only` for its HTTP/1.1 workloads (HTTP/1.1 only there),
# `nginx-h2c-only` for its HTTP/2 ones (`listen ... http2`: HTTP/2 with prior
# knowledge only).
set -eu
port=""
directory=""
tls_port=""
cert=""
key=""
proxy=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --directory) directory="$2"; shift 2 ;;
    --tls-port) tls_port="$2"; shift 2 ;;
    --cert) cert="$2"; shift 2 ;;
    --key) key="$2"; shift 2 ;;
    --proxy) proxy="$2"; shift 2 ;;
    *) echo "nginx.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$port" ] && [ -n "$directory" ] || { echo "usage: nginx.sh --port <port> --directory <dir>" >&2; exit 2; }
command -v nginx >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
command -v nginx >/dev/null 2>&1 || { echo "nginx.sh: nginx is not installed (Debian package nginx)" >&2; exit 127; }
mkdir -p "$directory"
dir=$(pwd)
directory=$(cd "$directory" && pwd)
mkdir -p "$dir/nginx-temp"
# The stages' limit of requests per connection; the benchmark lifts it, as the
# reference has none (over HTTP/2 nginx ends the connection with GOAWAY at the
# limit, and h2load does not open another: the rest of its requests fail).
keepalive_requests=1000
if [ -e "$dir/nginx-http1-only" ]; then
  listen="listen 127.0.0.1:$port;"
  keepalive_requests=10000000
elif [ -e "$dir/nginx-h2c-only" ]; then
  listen="listen 127.0.0.1:$port http2;"
  keepalive_requests=10000000
else
  listen="listen unix:$dir/http1.sock; listen unix:$dir/http2.sock http2;"
fi
# HTTPS (the tls extension): nginx itself on the TLS port, ALPN offering h2 and http/1.1.
tls=""
if [ -n "$tls_port" ]; then
  cert=$(cd "$(dirname "$cert")" && pwd)/$(basename "$cert")
  key=$(cd "$(dirname "$key")" && pwd)/$(basename "$key")
  tls="listen 127.0.0.1:$tls_port ssl http2; ssl_certificate $cert; ssl_certificate_key $key;"
fi
# The base stages' routes.
cat > "$dir/nginx-locations.conf" <<CONF
location = / { return 200 ""; }
location = /user-agent { default_type text/plain; return 200 \$http_user_agent; }
location ~ ^/echo/(.*)\$ { default_type text/plain; return 200 \$1; }
location /files/ {
  alias $directory/;
  # WebDAV PUT stores a file (stage http2/4 uploads with PUT; POST cannot store files in nginx, see stage 5).
  dav_methods PUT;
  types { }
  default_type application/octet-stream;
}
# Stage 11: a Range request gets its 206 of the plain file even when the client accepts gzip (by default
# nginx compresses and then ignores the Range, answering 200 with the whole file). One line: the proxy
# extension drops this location by its first words (grep -v '^location / ' below).
location / { root $directory; if (\$http_range) { gzip off; } }
CONF
locations="include $dir/nginx-locations.conf;"
# The proxy extension: upstreams and routes from the --proxy file (nginx-proxy.awk).
proxy_http=""
if [ -n "$proxy" ]; then
  grep -v '^location / ' "$dir/nginx-locations.conf" > "$dir/nginx-locations-noroot.conf"
  awk -v dir="$dir" -v listen="$listen" -f "$(dirname "$0")/nginx-proxy.awk" "$proxy"
  locations="include $dir/nginx-proxy-default.conf;"
  proxy_http="include $dir/nginx-proxy-http.conf;"
fi
# Workers run as whoever runs this (nginx started as root would switch them to
# www-data, which cannot read the case's directory).
user=$(id -un)
group=$(id -gn)
cat > "$dir/nginx.conf" <<CONF
daemon off;
user $user $group;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log info;
events { worker_connections 256; }
http {
  access_log $dir/nginx-access.log;
  client_body_temp_path $dir/nginx-temp/body;
  proxy_temp_path $dir/nginx-temp/proxy;
  fastcgi_temp_path $dir/nginx-temp/fastcgi;
  uwsgi_temp_path $dir/nginx-temp/uwsgi;
  scgi_temp_path $dir/nginx-temp/scgi;
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  server_tokens off;
  # Limits close to the stages': 8 KiB per header line (nginx has no limit on the
  # header section as a whole, see stages/http/07-header-limits.md), 1 MiB of body.
  client_header_buffer_size 8k;
  large_client_header_buffers 4 8k;
  client_max_body_size 1m;
  keepalive_requests $keepalive_requests;
  # RFC 9110 §13.1.3: not modified since a date at or after the file's (nginx's default is "exact").
  if_modified_since before;
  gzip on;
  gzip_vary on;
  gzip_min_length 1;
  gzip_types text/plain text/css text/xml text/javascript application/javascript application/json image/svg+xml;
  # Request bodies up to 1 MiB are read into memory (stage http2/4 uploads nearly 1 MiB).
  client_body_buffer_size 1m;
  server {
    $listen
    $tls
    $locations
  }
  $proxy_http
}
CONF
if [ -e "$dir/nginx-http1-only" ] || [ -e "$dir/nginx-h2c-only" ]; then
  exec nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/nginx-error.log" -g "error_log stderr info;"
fi
command -v bun >/dev/null 2>&1 || { echo "nginx.sh: bun (which runs the relay h2c-demux.ts) is not on PATH" >&2; exit 127; }
rm -f "$dir/http1.sock" "$dir/http2.sock"
nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/nginx-error.log" -g "error_log stderr info;" &
# Wait (bounded, 5 s) for nginx's sockets, then relay the port to them in the foreground.
i=0
while [ ! -S "$dir/http1.sock" ] || [ ! -S "$dir/http2.sock" ]; do
  i=$((i + 1))
  [ "$i" -le 100 ] || { echo "nginx.sh: nginx did not create its sockets within 5 s" >&2; exit 1; }
  kill -0 $! 2>/dev/null || { echo "nginx.sh: nginx exited" >&2; exit 1; }
  sleep 0.05
done
exec bun "$(dirname "$0")/h2c-demux.ts" "$port" "$dir/http1.sock" "$dir/http2.sock"
