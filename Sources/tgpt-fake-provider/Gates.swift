import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

/// Answers held until a test says go: with `gate=NAME` nothing is sent until
/// `GET /_release?gate=NAME`, so a test can act while an answer is provably still pending
/// (a spinner on screen, say) instead of hoping to act within a time window.
final class Gates: Sendable {
  private let opened = Guarded<Set<String>>([])

  func release(_ name: String) { _ = opened.withLock { $0.insert(name) } }

  /// Waits until `name` is released (or `seconds` pass, so a forgotten gate cannot keep a
  /// thread forever); false when the client left meanwhile.
  func wait(for name: String, socket: Socket, seconds: Int = 600) -> Bool {
    for _ in 0..<(seconds * 100) {
      if opened.withLock({ $0.contains(name) }) { return true }
      // A 10 ms look at the connection doubles as the pause between checks.
      if socket.closedWithin(milliseconds: 10) { return false }
    }
    return false
  }
}
