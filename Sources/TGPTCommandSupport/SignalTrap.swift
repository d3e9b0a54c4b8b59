import Synchronization
import TGPTEvents

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The first SIGINT or SIGTERM received (0: none). Process-wide: a signal handler has no
/// instance to look in.
private let firstSignal = Atomic<Int32>(0)
/// The pipe the handler wakes the trap's thread through (-1: none).
private let wakeWrite = Atomic<Int32>(-1)
/// The exit codes for SIGINT and SIGTERM, copied here by `install`: a handler must not be the
/// first to touch another module's lazily initialised constants.
private let interruptedExit = Atomic<Int32>(130)
private let terminatedExit = Atomic<Int32>(143)

/// Turns SIGINT and SIGTERM into a callback, so a program can cancel its work and still write
/// its terminal event. A second signal ends the process at once with the signal's exit code.
/// One per process.
///
/// The handler is installed by `install` itself, before it returns, so no signal can be lost
/// in between. (A Dispatch signal source registers later, on Dispatch's own thread, and with
/// the signal ignored meanwhile a SIGINT that came early was dropped: the program never
/// stopped.)
package final class SignalTrap: Sendable {
  package init() {}

  /// The first signal received, or nil.
  package var signal: Int32? {
    let value = firstSignal.load(ordering: .acquiring)
    return value == 0 ? nil : value
  }

  /// The exit code for the signal received: 130 for SIGINT, 143 for SIGTERM.
  package var exitCode: Int32 {
    signal == SIGTERM ? ExitStatus.terminated : ErrorKind.interrupted.exitCode
  }

  /// A message for the `error` event, naming the signal.
  package var message: String {
    signal == SIGTERM ? "interrupted by SIGTERM" : "interrupted by SIGINT"
  }

  /// Starts catching SIGINT and SIGTERM; `handler` runs once, on a thread of its own, on the
  /// first of them. Should no pipe be left to wake that thread, a signal ends the process at
  /// once with its exit code.
  package func install(_ handler: @escaping @Sendable (Int32) -> Void) {
    interruptedExit.store(ErrorKind.interrupted.exitCode, ordering: .relaxed)
    terminatedExit.store(ExitStatus.terminated, ordering: .relaxed)
    _ = firstSignal.load(ordering: .relaxed)
    if let wake = FileIO.makePipe() {
      wakeWrite.store(wake.write, ordering: .releasing)
      DedicatedThread.start {
        var byte: UInt8 = 0
        while read(wake.read, &byte, 1) < 0 && errno == EINTR {}
        handler(firstSignal.load(ordering: .acquiring))
      }
    }
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { number in
      // Only async-signal-safe work here: atomics, write(2), _exit(2).
      let (exchanged, previous) = firstSignal.compareExchange(
        expected: 0, desired: number, ordering: .acquiringAndReleasing)
      let wake = wakeWrite.load(ordering: .acquiring)
      guard exchanged, wake >= 0 else {
        let first = exchanged ? number : previous
        _exit(first == SIGTERM ? terminatedExit.load(ordering: .relaxed) : interruptedExit.load(ordering: .relaxed))
      }
      let saved = errno
      var byte: UInt8 = 1
      _ = write(wake, &byte, 1)
      errno = saved
    }
    action.sa_flags = SA_RESTART
    sigemptyset(&action.sa_mask)
    sigaction(SIGINT, &action, nil)
    sigaction(SIGTERM, &action, nil)
  }

  /// Ignores SIGPIPE so a closed reader shows up as EPIPE on write, which we treat as a quiet
  /// success, instead of killing the process.
  package static func ignoreSIGPIPE() {
    Glibc.signal(SIGPIPE, SIG_IGN)
  }
}
