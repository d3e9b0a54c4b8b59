import PostgresNIO
import TGPTEvents
import TGPTSession

/// Telling a busy pool from an absent server: a connection of the store's own.
extension PostgresStoreCore {
  /// Returns once `leased()` holds; throws when the server cannot be reached meanwhile.
  func watch(_ leased: @Sendable () -> Bool) async throws {
    var delay = Duration.milliseconds(500)
    while true {
      try await Task.sleep(for: delay)
      if leased() { return }
      delay = .seconds(1)
      // A pool that is merely busy (many turns at once) is not probed again and again.
      if let reached = lastReached.withLock({ $0 }), reached.duration(to: .now) < .seconds(2) { continue }
      if let error = await probe() {
        if leased() { return }
        throw failure(error, connecting: true)
      }
    }
  }

  /// Whether a new connection can be made now: nil, or why not. Callers that ask while an
  /// attempt is under way share it; an answer is never reused (the server may be back).
  func probe() async -> (any Error)? {
    let task = probes.withLock { running -> Task<(any Error)?, Never> in
      if let running { return running }
      let task = Task { () -> (any Error)? in
        defer { self.probes.withLock { $0 = nil } }
        do {
          let connection = try await self.connect()
          try? await connection.close()
          self.lastReached.withLock { $0 = .now }
          return nil
        } catch {
          return error
        }
      }
      running = task
      return task
    }
    return await task.value
  }
}
