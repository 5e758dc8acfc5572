#!/bin/sh
# A hostile program: prints a line and exits with code 3 at once.
echo "starting, then giving up"
exit 3
