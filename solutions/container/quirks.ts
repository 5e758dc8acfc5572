/**
 * Deliberate mistakes, all off. The broken fixtures in harness/fixtures/container/
 * each turn one on, to prove that a stage catches a program that makes it.
 */
export interface Quirks {
  /** chroot(2) into the rootfs instead of pivot_root(2). */
  chroot?: boolean;
  /** pivot_root(2), but leave the old root mounted inside the container. */
  keepOldRoot?: boolean;
  /** Skip making / private in the new mount namespace, so mounts propagate back to the host. */
  sharedPropagation?: boolean;
  /** Give the container the runtime's own environment on top of process.env. */
  hostEnv?: boolean;
  /** Start the process in / whatever process.cwd says. */
  ignoreCwd?: boolean;
  /** Run process.args joined into one shell command line (sh -c "a b c"). */
  joinArgs?: boolean;
  /** Exit 0 whatever the container's process exited with. */
  exitZero?: boolean;
  /** Exit 1 when the container's process was killed by a signal, instead of 128 + the signal. */
  signalExitOne?: boolean;
  /** Leave out the PID namespace even when config.json asks for one. */
  noPidNamespace?: boolean;
  /** Pass on SIGTERM only (not SIGINT, SIGHUP…). */
  forwardTermOnly?: boolean;
  /** Keep the Bun init process as PID 1 and start the container's program as its child (PID 2) instead of execve. */
  initNotExec?: boolean;
  /** Do not pass SIGTERM/SIGINT/SIGHUP on to the container's process. */
  noSignalForwarding?: boolean;
  /** Do not set the hostname from config.json. */
  ignoreHostname?: boolean;
  /** Leave out the IPC namespace even when config.json asks for one. */
  noIpcNamespace?: boolean;
}
