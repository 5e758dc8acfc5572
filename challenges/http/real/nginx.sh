#!/bin/sh
# The real implementation for the HTTP stages: nginx, given the same arguments
# as a learner's program (--port <port> --directory <dir>). Writes an
# nginx.conf for that port and directory into the current directory (the
# case's temporary directory) and runs nginx in the foreground, bound to
# 127.0.0.1 only, with its pid file, logs and temporary files there too.
set -eu
port=""
directory=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --directory) directory="$2"; shift 2 ;;
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
  keepalive_requests 1000;
  # RFC 9110 §13.1.3: not modified since a date at or after the file's (nginx's default is "exact").
  if_modified_since before;
  gzip on;
  gzip_vary on;
  gzip_min_length 1;
  gzip_types text/plain text/css text/xml text/javascript application/javascript application/json image/svg+xml;
  server {
    listen 127.0.0.1:$port;
    location = / { return 200 ""; }
    location = /user-agent { default_type text/plain; return 200 \$http_user_agent; }
    location ~ ^/echo/(.*)\$ { default_type text/plain; return 200 \$1; }
    location /files/ {
      alias $directory/;
      types { }
      default_type application/octet-stream;
    }
    location / { root $directory; }
  }
}
CONF
exec nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/nginx-error.log" -g "error_log stderr info;"
