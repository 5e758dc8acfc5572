#!/bin/sh
# A hostile program: reads its stdin forever (tail -f, which waits for more at its end) and never listens.
exec tail -f /dev/stdin
