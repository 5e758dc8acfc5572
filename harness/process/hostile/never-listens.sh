#!/bin/sh
# A hostile program: runs (sleep with the marker $1 as its duration) and never listens.
exec sleep "$1"
