# Your container runtime. Stage 1 (stages/container/01-run-in-a-new-root.md) starts here:
# read <bundle>/config.json, then run process.args in a new mount namespace,
# under root.path (pivot_root), and exit with the process's status.
# (os.unshare is in Python 3.12+; before that, call libc's unshare and pivot_root through ctypes.)
import sys

print(f"container runtime: not yet (see stage 1); called with: {' '.join(sys.argv[1:])}", file=sys.stderr)
sys.exit(1)
