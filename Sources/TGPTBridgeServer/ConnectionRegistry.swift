import HummingbirdWebSocket
import NIOWebSocket
import Synchronization

/// The open WebSocket connections: counted against `--max-connections`, refused while
/// draining, and closed with 1001 when the server stops.
final class ConnectionRegistry: Sendable {
  private struct State {
    var open: [Int: WebSocketOutboundWriter] = [:]
    var reserved = 0
    var draining = false
  }

  private let state = Mutex(State())
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

  func add(_ number: Int, _ writer: WebSocketOutboundWriter) { state.withLock { $0.open[number] = writer } }

  func remove(_ number: Int) { state.withLock { _ = $0.open.removeValue(forKey: number) } }

  var isDraining: Bool { state.withLock { $0.draining } }

  func startDraining() { state.withLock { $0.draining = true } }

  /// Closes every open connection with 1001 ("going away").
  func closeAll(reason: String) async {
    let writers = state.withLock { Array($0.open.values) }
    await withTaskGroup(of: Void.self) { group in
      for writer in writers {
        group.addTask { try? await writer.close(.goingAway, reason: reason) }
      }
    }
  }
}
