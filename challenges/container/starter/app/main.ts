// Your container runtime. Stage 1 (stages/container/01-run-in-a-new-root.md) starts here:
// read <bundle>/config.json, then run process.args in a new mount namespace,
// under root.path (pivot_root), and exit with the process's status.
const argv = Bun.argv.slice(2);
console.error(`container runtime: not yet (see stage 1); called with: ${argv.join(" ")}`);
process.exit(1);
