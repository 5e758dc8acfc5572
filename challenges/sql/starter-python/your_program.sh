#!/bin/sh
# syscraft runs this script like sqlite3, once per command, in a test directory:
#   ./your_program.sh shop.db .dbinfo      ./your_program.sh shop.db "SELECT COUNT(*) FROM orders"
# To use another language, change the line below to start your program,
# passing the arguments on ("$@").
exec python3 -u "$(dirname "$0")/app/main.py" "$@"
