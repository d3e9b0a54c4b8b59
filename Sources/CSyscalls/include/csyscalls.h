#ifndef TGPT_CSYSCALLS_H
#define TGPT_CSYSCALLS_H

// System calls Swift's Glibc module leaves out (it is imported without _GNU_SOURCE).

/// A pipe whose two ends are close-on-exec from the start (`pipe2(fds, O_CLOEXEC)`), so a
/// program another thread starts at that moment cannot inherit them. 0, or -1 with errno.
int csyscalls_pipe_cloexec(int fds[2]);

/// Adds "change to directory `path`" to a `posix_spawn_file_actions_t` (passed as a pointer:
/// `posix_spawn_file_actions_addchdir_np` is a GNU/BSD extension). 0, or an errno value.
int csyscalls_spawn_file_actions_addchdir(void *actions, const char *path);

/// Adds "close every descriptor from `from` on" to a `posix_spawn_file_actions_t`. 0, or an
/// errno value: ENOSYS where the C library has no such action (glibc before 2.34, musl).
int csyscalls_spawn_file_actions_addclosefrom(void *actions, int from);

#endif
