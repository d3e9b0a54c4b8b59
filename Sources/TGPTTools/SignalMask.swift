#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs `body` with SIGPIPE blocked on this thread, so that writing to a child that has gone
/// fails with EPIPE instead of killing the process (a library must not rely on the program
/// ignoring SIGPIPE). A SIGPIPE left pending is taken before the mask is restored.
func withSIGPIPEBlocked<T>(_ body: () -> T) -> T {
  var sigpipe = sigset_t()
  sigemptyset(&sigpipe)
  sigaddset(&sigpipe, SIGPIPE)
  var previous = sigset_t()
  pthread_sigmask(SIG_BLOCK, &sigpipe, &previous)
  defer {
    #if os(Linux)
      var none = timespec()
      while sigtimedwait(&sigpipe, nil, &none) > 0 {}
    #else
      var pending = sigset_t()
      var taken: Int32 = 0
      while sigpending(&pending) == 0, sigismember(&pending, SIGPIPE) == 1 { sigwait(&sigpipe, &taken) }
    #endif
    pthread_sigmask(SIG_SETMASK, &previous, nil)
  }
  return body()
}
