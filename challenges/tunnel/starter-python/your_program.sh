#!/bin/sh
# syscraft runs this script in two roles:
#   ./your_program.sh server --control-port <port> --http-port <port> [--tcp-ports <port>,<port>] --token <token>
#       (later stages add --https-port/--cert/--key, --keepalive-ms, --max-streams, --idle-timeout-ms)
#   ./your_program.sh client --server 127.0.0.1:<port> --token <token> (--http <name> | --tcp <port>) --to 127.0.0.1:<port>
#       (stage 9 adds --keepalive-ms)
# To use another language, change the line below to start your program,
# passing the arguments on ("$@").
exec python3 -u "$(dirname "$0")/app/main.py" "$@"
