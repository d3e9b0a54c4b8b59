import TGPTEvents

/// When a connection last did something, for the idle timeout.
final class ActivityClock: Sendable {
  private let last = Guarded(ContinuousClock.now)

  func touch() { last.withLock { $0 = .now } }

  var idle: Duration { .now - last.withLock { $0 } }
}
