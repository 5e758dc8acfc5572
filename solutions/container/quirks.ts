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
  /** Look a program named without a / up in a fixed PATH (/usr/local/bin:/usr/bin:/bin), not the container's. */
  pathIgnored?: boolean;
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
  /** Mount tmpfs and other file systems without their data options (size=, mode=…). */
  mountDataDropped?: boolean;
  /** Mount tmpfs and other file systems without their flag options (ro, nosuid, noexec…). */
  mountFlagsDropped?: boolean;
  /** Resolve a relative bind-mount source from the runtime's working directory instead of the bundle. */
  bindSourceFromCwd?: boolean;
  /** Make a missing bind-mount destination without its missing parent directories (a file bound there then fails). */
  bindParentsNotMade?: boolean;
  /** Pass "ro" of a bind mount to the bind itself (which ignores it) instead of remounting. */
  bindReadonlyWithoutRemount?: boolean;
  /** mknod the default devices without the chmod after it, so the umask takes bits off 0666. */
  devicesUmasked?: boolean;
  /** Leave out the /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr symbolic links. */
  noDevSymlinks?: boolean;
  /** Pass MS_RDONLY to the rootfs's bind onto itself (which ignores it) instead of remounting / read-only. */
  readonlyRootAtBind?: boolean;
  /** Leave out the /dev/ptmx link to pts/ptmx (a default device). */
  noPtmx?: boolean;
  /** Mount config.json's mounts in reverse order. */
  mountsReversed?: boolean;
  /** Bind-mount the host's /sys (read-only) for a sysfs mount instead of mounting a new sysfs. */
  sysfsFromHost?: boolean;
  /** Mount sysfs without MS_RDONLY whatever its options say. */
  sysfsReadWrite?: boolean;
  /** Ignore linux.maskedPaths. */
  maskedPathsIgnored?: boolean;
  /** Bind each linux.readonlyPaths path with MS_RDONLY in one call (ignored by the kernel) instead of remounting it. */
  readonlyPathsWithoutRemount?: boolean;
  /** Leave out the network namespace even when config.json asks for one. */
  noNetworkNamespace?: boolean;
  /** Make the network namespace but leave its lo down. */
  loopbackDown?: boolean;
  /** Make the cgroup and write its limits, but never move the container's process into it. */
  cgroupNotJoined?: boolean;
  /** Ignore linux.resources.memory.limit. */
  memoryLimitIgnored?: boolean;
  /** Ignore linux.resources.pids.limit. */
  pidsLimitIgnored?: boolean;
  /** Ignore linux.resources.cpu.quota. */
  cpuQuotaIgnored?: boolean;
  /** Write linux.resources.cpu.quota but not its period (the kernel's default period, 100 ms, stays). */
  cpuPeriodIgnored?: boolean;
  /** Run each hook with the runtime's own environment instead of the hook's env. */
  hookEnvInherited?: boolean;
  /** Give hooks nothing on standard input instead of the container's state. */
  hookStateMissing?: boolean;
  /** Run hooks to their end whatever their timeout says. */
  hookTimeoutIgnored?: boolean;
  /** Carry on when a prestart or createRuntime hook fails. */
  prestartFailureIgnored?: boolean;
  /** Never run the poststart hooks. */
  poststartIgnored?: boolean;
  /** Never run the poststop hooks. */
  poststopIgnored?: boolean;
  /** Run the prestart and createRuntime hooks in start (just before the program runs) instead of in create. */
  hooksInStart?: boolean;
  /** Carry on when a createContainer hook fails. */
  createContainerFailureIgnored?: boolean;
  /** Carry on when a startContainer hook fails. */
  startContainerFailureIgnored?: boolean;
  /** Run the prestart and createRuntime hooks from the container's first process (in its namespaces), not the runtime. */
  runtimeHooksInContainer?: boolean;
  /** Run the createContainer hooks in the runtime (with createRuntime), not in the container's namespaces. */
  createContainerInRuntime?: boolean;
  /** Run the createContainer hooks in the container after pivot_root (their path then resolved in the container). */
  createContainerAfterPivotRoot?: boolean;
  /** Run the createContainer hooks in the container before its mounts are made. */
  createContainerBeforeMounts?: boolean;
  /** Run the createContainer hooks before the prestart and createRuntime hooks. */
  createContainerFirst?: boolean;
  /** Run the startContainer hooks during create (once the container is set up), not in start. */
  startContainerInCreate?: boolean;
  /** Run the startContainer hooks in the runtime (their path taken inside the root file system), not in the container. */
  startContainerInRuntime?: boolean;
  /** After a set-up failure (init exits 127), leave the cgroup and the state behind. */
  setupFailureLeftBehind?: boolean;
  /** Leave the cgroup behind when the container exits. */
  cgroupLeftBehind?: boolean;
  /** create lets the container's program run at once, without waiting for start. */
  createRunsProgram?: boolean;
  /** state reports the status the runtime last recorded (created, running), not what the container's process is doing. */
  stateFromFile?: boolean;
  /** kill takes signal numbers only: a name is refused. */
  killNumbersOnly?: boolean;
  /** state reports "running" for a container that is only created. */
  stateCreatedAsRunning?: boolean;
  /** delete removes the cgroup but leaves the container's state behind. */
  deleteKeepsState?: boolean;
  /** kill takes signal names only, not numbers. */
  killNamesOnly?: boolean;
  /** kill without a signal sends SIGKILL instead of SIGTERM. */
  killDefaultSigkill?: boolean;
  /** Leave the container's process root: ignore process.user. */
  uidNotSet?: boolean;
  /** Ignore process.capabilities: the process keeps every capability the runtime had. */
  capsLeftFull?: boolean;
  /** Set the effective, permitted, inheritable and ambient sets, but never drop anything from the bounding set. */
  boundingNotDropped?: boolean;
  /** Ignore process.noNewPrivileges. */
  noNewPrivsIgnored?: boolean;
  /** setgroups(2) with no groups at all, whatever process.user.additionalGids says. */
  additionalGidsIgnored?: boolean;
  /** Set the other capability sets, but never raise the ambient ones. */
  ambientNotRaised?: boolean;
  /** Drop from the bounding set only for a non-root process.user: root keeps every capability there (and so, after execve, in its permitted and effective sets). */
  rootKeepsBounding?: boolean;
  /** capset(2) the inheritable set from process.capabilities.permitted instead of .inheritable. */
  inheritableFromPermitted?: boolean;
  /** --network: no default route in the container. */
  noDefaultRoute?: boolean;
  /** --network: no MASQUERADE rule for the network's CIDR. */
  noMasquerade?: boolean;
  /** --network: --publish is accepted but no DNAT rule is added. */
  publishIgnored?: boolean;
  /** --network: the container's address is outside the CIDR. */
  addressOutsideCidr?: boolean;
  /** --network: the bridge gets no address (the container's default route still names the network's first). */
  bridgeWithoutAddress?: boolean;
  /** --network: the NAT rules stay when the container ends. */
  natRulesLeftBehind?: boolean;
  /** --network: create accepts --network and --publish but wires nothing. */
  networkCreateIgnored?: boolean;
  /** --network: every container gets the network's second address (no leases). */
  networkAddressFixed?: boolean;
  /** --network: delete leaves a created container's NAT rules (run still removes its own). */
  networkRulesKeptAtDelete?: boolean;
}
