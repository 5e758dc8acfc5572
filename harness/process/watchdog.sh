#!/bin/sh
# The test process's watchdog (see reaper.ts): started by a test process that
# then opens <fifo> for writing and keeps it open, it waits for the FIFO to
# close — the test process has ended, however: even by SIGKILL — then
# removes what that process may have left: the process groups it said were
# running without a cgroup, the processes in its cgroups and the cgroups,
# its temp dirs, its port locks. Ignores the signals a terminal
# sends; exits when done.
#   watchdog.sh <fifo> <owner pid> <owner start time> <temp dir> [<cgroup parent>…]
trap '' INT TERM HUP
fifo=$1 pid=$2 start=$3 tmp=$4
shift 4
# Lines on the FIFO: "+<pgid>" for a process group with no cgroup around it, "-<pgid>" once it is gone.
groups=" "
while IFS= read -r line; do
  case $line in
    +*) groups="$groups${line#+} " ;;
    -*) case $groups in *" ${line#-} "*) groups="${groups%% ${line#-} *} ${groups#* ${line#-} }" ;; esac ;;
  esac
done < "$fifo"
for g in $groups; do
  kill -9 -"$g" 2>/dev/null
done
for parent in "$@"; do
  for d in "$parent"/syscraft-"$pid"-"$start"-*; do
    [ -d "$d" ] || continue
    n=0
    while procs=$(cat "$d/cgroup.procs" 2>/dev/null) && [ -n "$procs" ] && [ "$n" -lt 200 ]; do
      kill -9 $procs 2>/dev/null
      sleep 0.01
      n=$((n + 1))
    done
    rmdir "$d" 2>/dev/null
  done
done
rm -rf "$tmp"/syscraft-*-o"$pid"."$start"-??????
for lock in "$tmp"/syscraft-ports/*/pid; do
  [ "$(cat "$lock" 2>/dev/null)" = "$pid" ] && rm -rf "${lock%/pid}"
done
exit 0
