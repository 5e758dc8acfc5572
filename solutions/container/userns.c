/*
 * The one piece of the runtime in C (compiled at run time by bun:ffi's cc, TinyCC; see userns.ts).
 * A user namespace cannot be made with unshare(2) by a multi-threaded process (Bun is one: EINVAL),
 * and a process forked through FFI from Bun crashes when it runs JavaScript again. So this clones
 * with CLONE_NEWUSER (and the other flags asked for) and the child only makes raw system calls:
 * it waits for the parent's byte on sync_fd (the parent writes uid_map and gid_map meanwhile),
 * becomes uid and gid 0 of the new namespace, and execve()s argv (Bun again, running init.ts).
 * No #include: the prototypes are declared here, so no C library headers are needed.
 *
 * clone_wait_exec serves inplace.ts the same way without a user namespace: its child, cloned into
 * the container's new namespaces, waits until the runtime has built the container around it (from
 * outside, with setns), then reads "<cwd>\0<program path>\0" from the pipe, starts a session of its
 * own, drops the supplementary groups, changes to <cwd> and execve()s the program itself.
 */
extern long syscall(long number, ...);

#define SYS_read 0
#define SYS_close 3
#define SYS_clone 56
#define SYS_execve 59
#define SYS_exit 60
#define SYS_setresuid 117
#define SYS_setresgid 119
#define SYS_chdir 80
#define SYS_setgroups 116
#define SYS_setsid 112
#define SIGCHLD 17

/* become_root is 0 only in a deliberately broken runtime (the usernsNotRoot quirk). */
/* Returns the child's pid in the parent (or -1), and never returns in the child. */
int clone_and_exec(long flags, int sync_fd, int parent_end, int become_root, char *const *argv, char *const *envp) {
  long pid = syscall(SYS_clone, flags | SIGCHLD, 0L, 0L, 0L, 0L);
  if (pid != 0) return (int)pid;
  char byte;
  syscall(SYS_close, parent_end);
  if (syscall(SYS_read, sync_fd, &byte, 1L) != 1) syscall(SYS_exit, 125L);
  syscall(SYS_close, sync_fd);
  if (become_root && (syscall(SYS_setresgid, 0L, 0L, 0L) != 0 || syscall(SYS_setresuid, 0L, 0L, 0L) != 0)) syscall(SYS_exit, 126L);
  syscall(SYS_execve, argv[0], argv, envp);
  syscall(SYS_exit, 127L);
  return -1;
}

/* Returns the child's pid in the parent (or -1), and never returns in the child. */
int clone_wait_exec(long flags, int sync_fd, int parent_end, char *const *argv, char *const *envp) {
  long pid = syscall(SYS_clone, flags | SIGCHLD, 0L, 0L, 0L, 0L);
  if (pid != 0) return (int)pid;
  char message[8192];
  syscall(SYS_close, parent_end);
  long n = syscall(SYS_read, sync_fd, message, (long)sizeof message - 1);
  if (n <= 0) syscall(SYS_exit, 125L);
  message[n] = 0;
  syscall(SYS_close, sync_fd);
  char *path = message;
  while (*path) path++;
  path++;
  if (syscall(SYS_setsid) < 0 || syscall(SYS_setgroups, 0L, 0L) != 0 || syscall(SYS_chdir, message) != 0) syscall(SYS_exit, 126L);
  syscall(SYS_execve, path, argv, envp);
  syscall(SYS_exit, 127L);
  return -1;
}
