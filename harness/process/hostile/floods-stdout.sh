#!/bin/sh
# A hostile program: writes to stdout without end (gigabytes) and never listens.
exec yes "flood $1 flood flood flood flood flood flood flood flood flood flood flood flood flood"
