#!/bin/sh
# syscraft runs this script like git, once per command, in a test repository:
#   ./your_program.sh init      ./your_program.sh hash-object -w file.txt   …
# To use another language, change the line below to start your program,
# passing the arguments on ("$@").
exec python3 -u "$(dirname "$0")/app/main.py" "$@"
