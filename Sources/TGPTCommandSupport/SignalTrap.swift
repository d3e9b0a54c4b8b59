import Dispatch
import Synchronization
import TGPTEvents

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Turns SIGINT and SIGTERM into a callback, so a program can cancel its work and still write
/// its terminal event. A second signal ends the process at once with the signal's exit code.
public final class SignalTrap: @unchecked Sendable {
  private let received = Atomic<Int32>(0)
  // Written once by `install`, before any signal can be delivered; kept only to stay alive.
  private var sources: [any DispatchSourceSignal] = []

  public init() {}

  /// The first signal received, or nil.
  public var signal: Int32? {
    let value = received.load(ordering: .acquiring)
    return value == 0 ? nil : value
  }

  /// The exit code for the signal received: 130 for SIGINT, 143 for SIGTERM.
  public var exitCode: Int32 {
    signal == SIGTERM ? ExitStatus.terminated : ErrorKind.interrupted.exitCode
  }

  /// A message for the `error` event, naming the signal.
  public var message: String {
    signal == SIGTERM ? "interrupted by SIGTERM" : "interrupted by SIGINT"
  }

  /// Starts listening for SIGINT and SIGTERM; `handler` runs once, on the first of them.
  public func install(_ handler: @escaping @Sendable (Int32) -> Void) {
    var created: [any DispatchSourceSignal] = []
    for number in [SIGINT, SIGTERM] {
      Glibc.signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler { [self] in
        let (exchanged, previous) = received.compareExchange(
          expected: 0, desired: number, ordering: .acquiringAndReleasing)
        if exchanged {
          handler(number)
        } else {
          _exit(previous == SIGTERM ? ExitStatus.terminated : ErrorKind.interrupted.exitCode)
        }
      }
      source.resume()
      created.append(source)
    }
    sources = created
  }

  /// Ignores SIGPIPE so a closed reader shows up as EPIPE on write, which we treat as a quiet
  /// success, instead of killing the process.
  public static func ignoreSIGPIPE() {
    Glibc.signal(SIGPIPE, SIG_IGN)
  }
}
