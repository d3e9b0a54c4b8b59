#define _GNU_SOURCE
#include "csyscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

int csyscalls_pipe_cloexec(int fds[2]) {
#ifdef __linux__
  return pipe2(fds, O_CLOEXEC);
#else
  // Without pipe2 the ends are open without the flag for a moment.
  if (pipe(fds) != 0) return -1;
  fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  fcntl(fds[1], F_SETFD, FD_CLOEXEC);
  return 0;
#endif
}

int csyscalls_spawn_file_actions_addchdir(void *actions, const char *path) {
  // glibc 2.29, musl 1.1.24 and macOS 10.15 have it.
  return posix_spawn_file_actions_addchdir_np((posix_spawn_file_actions_t *)actions, path);
}

int csyscalls_spawn_file_actions_addclosefrom(void *actions, int from) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  return posix_spawn_file_actions_addclosefrom_np((posix_spawn_file_actions_t *)actions, from);
#else
  (void)actions;
  (void)from;
  return ENOSYS;
#endif
}
