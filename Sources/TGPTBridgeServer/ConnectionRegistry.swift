import TGPTBridge
import TGPTEvents

/// The open WebSocket connections: counted against `--max-connections`, refused while
/// draining, and closed with 1001 when the server stops.
final class ConnectionRegistry: Sendable {
  private struct State {
    var open: [Int: RelayConnection] = [:]
    var reserved = 0
    var draining = false
  }

  private let state = Guarded(State())
  let limit: Int

  init(limit: Int) { self.limit = limit }

  /// Reserves a place for a connection about to be upgraded; false when full or draining.
  func reserve() -> Bool {
    state.withLock { state in
      guard !state.draining, state.reserved < limit else { return false }
      state.reserved += 1
      return true
    }
  }

  /// Gives back a place reserved by `reserve()`.
  func release() { state.withLock { $0.reserved -= 1 } }

  func add(_ connection: RelayConnection) { state.withLock { $0.open[connection.number] = connection } }

  func remove(_ connection: RelayConnection) { state.withLock { _ = $0.open.removeValue(forKey: connection.number) } }

  var isDraining: Bool { state.withLock { $0.draining } }

  func startDraining() { state.withLock { $0.draining = true } }

  /// Ends the open connections of `principals` (their tokens were revoked); how many.
  @discardableResult
  func revoke(principals: Set<String>) -> Int {
    let connections = state.withLock { state in
      state.open.values.filter { $0.principal.map(principals.contains) ?? false }
    }
    for connection in connections { connection.revoke() }
    return connections.count
  }

  /// Ends every open connection after the events already queued for it, with 1001 ("going
  /// away"), and waits up to `timeout` for them to close.
  func closeAll(timeout: Duration) async {
    let connections = state.withLock { Array($0.open.values) }
    for connection in connections { connection.finishForShutdown() }
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline, state.withLock({ !$0.open.isEmpty }) {
      try? await Task.sleep(for: .milliseconds(20))
    }
  }
}
