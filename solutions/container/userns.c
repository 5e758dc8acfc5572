/*
 * The one piece of the runtime in C (compiled at run time by bun:ffi's cc, TinyCC; see userns.ts).
 * A user namespace cannot be made with unshare(2) by a multi-threaded process (Bun is one: EINVAL),
 * and a process forked through FFI from Bun crashes when it runs JavaScript again. So this clones
 * with CLONE_NEWUSER (and the other flags asked for) and the child only makes raw system calls:
 * it waits for the parent's byte on sync_fd (the parent writes uid_map and gid_map meanwhile),
 * becomes uid and gid 0 of the new namespace, and execve()s argv (Bun again, running init.ts).
 * No #include: the prototypes are declared here, so no C library headers are needed.
 */
extern long syscall(long number, ...);

#define SYS_read 0
#define SYS_close 3
#define SYS_clone 56
#define SYS_execve 59
#define SYS_exit 60
#define SYS_setresuid 117
#define SYS_setresgid 119
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
