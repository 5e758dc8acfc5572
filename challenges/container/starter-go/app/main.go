// Your container runtime. Stage 1 (stages/container/01-run-in-a-new-root.md) starts here:
// read <bundle>/config.json, then run process.args in a new mount namespace,
// under root.path (pivot_root), and exit with the process's status.
// (package syscall has Unshare, PivotRoot and Mount; exec.Cmd's SysProcAttr.Cloneflags starts a child in new namespaces.)
package main

import (
	"fmt"
	"os"
	"strings"
)

func main() {
	fmt.Fprintf(os.Stderr, "container runtime: not yet (see stage 1); called with: %s\n", strings.Join(os.Args[1:], " "))
	os.Exit(1)
}
