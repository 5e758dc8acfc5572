#!/bin/sh
# syscraft runs this script as root, inside a network namespace, as:
#   ./your_program.sh -i <iface> -n [-e] [-l] [-q] [-t…] [-x|-X] [-c <count>] [-w <file>] [<filter expression>]
# or, to read a capture file:  ./your_program.sh -r <file> -n
# To use another language, change the line below to start your program,
# passing the arguments on ("$@").
exec python3 -u "$(dirname "$0")/app/main.py" "$@"
