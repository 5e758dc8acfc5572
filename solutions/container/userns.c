/*
 * The one piece of the runtime in C (compiled by bun:ffi's cc, TinyCC; see userns.ts).
 * A user namespace cannot be made with unshare(2) by a multi-threaded process (Bun is one: EINVAL),
 * and a process forked through FFI from Bun crashes when it runs JavaScript again. So this clones
 * with CLONE_NEWUSER (and the other flags asked for) and the child only makes raw system calls:
 * it waits for the parent's byte on sync_fd (the parent writes uid_map and gid_map meanwhile),
 * becomes uid and gid 0 of the new namespace, and execve()s argv (Bun again, running init.ts).
 *
 * clone_wait_exec serves inplace.ts the same way without a user namespace: its child, cloned into
 * the container's new namespaces, waits until the runtime has built the container around it (from
 * outside, with setns), then reads "<cwd>\0<program path>\0" from the pipe, starts a session of its
 * own, drops the supplementary groups, changes to <cwd> and execve()s the program itself; it joins the
 * container's cgroups first, through files the runtime opened.
 *
 * Self-contained machine code: no #include, no C library, every system call made with the syscall
 * instruction (x86_64: number in rax, arguments in rdi, rsi, rdx, r10, r8), every call between these
 * functions relative. So the bytes from code_start to code_end run wherever they are copied:
 * userns.ts keeps them in a cache file after the first compile and maps them from there (compiling
 * costs every container several milliseconds, more under load).
 */
#define SYS_read 0
#define SYS_write 1
#define SYS_close 3
#define SYS_clone 56
#define SYS_execve 59
#define SYS_exit 60
#define SYS_chdir 80
#define SYS_setsid 112
#define SYS_setgroups 116
#define SYS_setresuid 117
#define SYS_setresgid 119
#define SIGCHLD 17

/* The first bytes of the code userns.ts copies (TinyCC lays functions out in the order of this file). */
void code_start(void) {}

/* A system call with up to three arguments. */
static long sys3(long n, long a, long b, long c) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}

/* clone(flags, stack 0: the child goes on with a copy of this stack, no tids, no TLS); like fork(2) with flags. */
static long sys_clone(long flags) {
  long r;
  __asm__ volatile("xor %%esi, %%esi\n\txor %%edx, %%edx\n\txor %%r10d, %%r10d\n\txor %%r8d, %%r8d\n\tsyscall" : "=a"(r) : "a"((long)SYS_clone), "D"(flags) : "rcx", "r11", "rsi", "rdx", "r10", "r8", "memory");
  return r;
}

/* become_root is 0 only in a deliberately broken runtime (the usernsNotRoot quirk). */
/* Returns the child's pid in the parent (or -errno), and never returns in the child. */
int clone_and_exec(long flags, int sync_fd, int parent_end, int become_root, char *const *argv, char *const *envp) {
  long pid = sys_clone(flags | SIGCHLD);
  if (pid != 0) return (int)pid;
  char byte;
  sys3(SYS_close, parent_end, 0, 0);
  if (sys3(SYS_read, sync_fd, (long)&byte, 1) != 1) sys3(SYS_exit, 125, 0, 0);
  sys3(SYS_close, sync_fd, 0, 0);
  if (become_root && (sys3(SYS_setresgid, 0, 0, 0) != 0 || sys3(SYS_setresuid, 0, 0, 0) != 0)) sys3(SYS_exit, 126, 0, 0);
  sys3(SYS_execve, (long)argv[0], (long)argv, (long)envp);
  sys3(SYS_exit, 127, 0, 0);
  return -1;
}

/*
 * Returns the child's pid in the parent (or -errno), and never returns in the child. The child first joins the
 * container's cgroups: "0" into each of the n_cgroups cgroup.procs files open as cgroup_fds (exit 124 if one refuses).
 * Done by the child, at once, it runs while the runtime builds the container: moving a process between cgroups can
 * wait for an RCU grace period (milliseconds, tens of them under load).
 */
int clone_wait_exec(long flags, int sync_fd, int parent_end, char *const *argv, char *const *envp, int *cgroup_fds, int n_cgroups) {
  long pid = sys_clone(flags | SIGCHLD);
  if (pid != 0) return (int)pid;
  char message[8192];
  char self = '0';
  for (int i = 0; i < n_cgroups; i++) {
    if (sys3(SYS_write, cgroup_fds[i], (long)&self, 1) != 1) sys3(SYS_exit, 124, 0, 0);
    sys3(SYS_close, cgroup_fds[i], 0, 0);
  }
  sys3(SYS_close, parent_end, 0, 0);
  long n = sys3(SYS_read, sync_fd, (long)message, (long)sizeof message - 1);
  if (n <= 0) sys3(SYS_exit, 125, 0, 0);
  message[n] = 0;
  sys3(SYS_close, sync_fd, 0, 0);
  char *path = message;
  while (*path) path++;
  path++;
  if (sys3(SYS_setsid, 0, 0, 0) < 0 || sys3(SYS_setgroups, 0, 0, 0) != 0 || sys3(SYS_chdir, (long)message, 0, 0) != 0) sys3(SYS_exit, 126, 0, 0);
  sys3(SYS_execve, (long)path, (long)argv, (long)envp);
  sys3(SYS_exit, 127, 0, 0);
  return -1;
}

/* Just past the last byte userns.ts copies. */
void code_end(void) {}
