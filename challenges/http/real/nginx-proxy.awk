# Part of the real implementation's wrapper (nginx.sh): translates the proxy
# extension's config file (stages/http/proxy/01-routing.md) into nginx
# directives. `upstream` lines become upstream blocks (round-robin,
# least_conn, hash … consistent, with keepalive connections), `route` lines
# become `location ^~ <prefix>` blocks that proxy_pass to them (in the
# default server for host *, in a server of their own with server_name for
# a host), `timeout` sets proxy_*_timeout. `health` and `rate-limit` have no
# open-source nginx equivalent and are ignored (stage proxy/5 is real_differs).
#
#   awk -v dir=<case dir> -v listen='<listen directives>' -f nginx-proxy.awk <config>
#
# Writes <dir>/nginx-proxy-http.conf (upstreams and per-host servers, included
# in the http block) and <dir>/nginx-proxy-default.conf (the host-* routes,
# included in the default server). Each server includes
# <dir>/nginx-locations.conf, or <dir>/nginx-locations-noroot.conf when a
# route takes the prefix "/" (nginx refuses two locations for one prefix).
{ sub(/#.*/, "") }
$1 == "upstream" {
  name = $2; policy = $3; first = 4
  line = "upstream " name " {"
  if (policy == "least-conn") line = line " least_conn;"
  if (policy == "hash") {
    key = $4; first = 5
    if (key == "ip") line = line " hash $remote_addr consistent;"
    else { h = tolower(substr(key, 8)); gsub(/-/, "_", h); line = line " hash $http_" h " consistent;" }
  }
  for (i = first; i <= NF; i++) line = line " server " $i " max_fails=0;"
  upstreams = upstreams line " keepalive 16; }\n"
}
$1 == "route" {
  n++; rhost[n] = tolower($2); rprefix[n] = $3; rpool[n] = $4
  if ($2 != "*") hosts[tolower($2)] = 1
}
$1 == "timeout" { timeout = $2 "ms" }
function location(prefix, pool) {
  s = "location ^~ " prefix " { proxy_pass http://" pool "; proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_set_header Host $http_host; proxy_next_upstream error;"
  if (timeout != "") s = s " proxy_connect_timeout " timeout "; proxy_read_timeout " timeout "; proxy_send_timeout " timeout ";"
  return s " }\n"
}
# The locations of a server for `host` ("*": the default server): its own routes, then the host-* ones with other prefixes.
function locations(host,   i, s, taken, root) {
  s = ""; root = 0
  for (i = 1; i <= n; i++) if (rhost[i] == host) { s = s location(rprefix[i], rpool[i]); taken[rprefix[i]] = 1 }
  for (i = 1; i <= n; i++) if (rhost[i] == "*" && !(rprefix[i] in taken)) { s = s location(rprefix[i], rpool[i]); taken[rprefix[i]] = 1 }
  if ("/" in taken) root = 1
  return s "include " dir "/nginx-locations" (root ? "-noroot" : "") ".conf;\n"
}
END {
  http = upstreams
  for (h in hosts) http = http "server { " listen " server_name " h ";\n" locations(h) "}\n"
  printf "%s", http > (dir "/nginx-proxy-http.conf")
  printf "%s", locations("*") > (dir "/nginx-proxy-default.conf")
}
