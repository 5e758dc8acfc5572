#!/bin/sh
# syscraft runs this script as: ./your_program.sh --port <port>
# To use another language, change the line below to start your program,
# passing the arguments on ("$@").
exec python3 -u "$(dirname "$0")/app/main.py" "$@"
