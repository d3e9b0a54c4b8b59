import TGPTEvents

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A child started in a process group of its own, which we signal as a whole: a tool's
/// helpers, or a shell's pipeline, end with it.
///
/// Signals go to the group only while the child is not yet reaped: until then its pid, and so
/// the group's id, cannot belong to anybody else.
final class ChildGroup: Sendable {
  let pid: pid_t
  private let reaped = Guarded<Int32?>(nil)

  init(pid: pid_t) { self.pid = pid }

  /// Sends `signal` to every process of the group, unless the child was reaped already.
  func signal(_ signal: Int32) {
    reaped.withLock { status in
      if status == nil { _ = kill(-pid, signal) }
    }
  }

  /// The exit status, once reaped.
  var exitStatus: Int32? { reaped.withLock { $0 } }

  /// Whether the child has exited (it may not be reaped yet). Does not block.
  func hasExited() -> Bool {
    if exitStatus != nil { return true }
    var info = siginfo_t()
    guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return errno == ECHILD }
    return info.childPID != 0
  }

  /// Waits for the child to exit (blocking: call it on a thread of its own), kills what is
  /// left of its group (background helpers holding its pipes open), reaps it and returns its
  /// status: the exit code, or 128 + the signal that ended it.
  @discardableResult
  func waitForExit() -> Int32 {
    if let status = exitStatus { return status }
    var info = siginfo_t()
    // WNOWAIT: the child stays a zombie, so the group id stays ours while we kill the rest.
    while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0, errno == EINTR {}
    return reaped.withLock { status in
      if let status { return status }
      _ = kill(-pid, SIGKILL)
      let exit = ChildSpawn.waitForExit(pid)
      status = exit
      return exit
    }
  }
}

extension siginfo_t {
  /// The pid `waitid` filled in (0 when no child had changed state).
  fileprivate var childPID: pid_t {
    #if os(Linux)
      _sifields._sigchld.si_pid
    #else
      si_pid
    #endif
  }
}
