#define _GNU_SOURCE
#include "csyscalls.h"

#include <fcntl.h>
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
