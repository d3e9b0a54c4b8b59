#if canImport(Glibc)
  import Glibc
#endif

/// Process limits a long-running server needs raised.
package enum ResourceLimits {
  /// Raises the soft limit on open files to the hard limit, so many concurrent turns (each
  /// holds a lock file and perhaps a socket) do not fail with EMFILE.
  package static func raiseOpenFiles() {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    limit.rlim_cur = limit.rlim_max
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
  }

  /// The soft limit on open files now.
  package static var openFiles: Int {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
    return Int(clamping: min(limit.rlim_cur, rlim_t(Int32.max)))
  }
}
