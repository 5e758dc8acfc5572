#!/bin/sh
# syscraft runs this script as root, once per container, with runc's command line:
#   ./your_program.sh --root <state dir> run -b <bundle dir> <container id>
# To use another language, change the line below to start your program,
# passing the arguments on ("$@").
exec python3 -u "$(dirname "$0")/app/main.py" "$@"
