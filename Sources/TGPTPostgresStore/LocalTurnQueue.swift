import TGPTEvents

/// Turn locks within one process, taken before the server's: turns of one session in this
/// process wait here, in order, and hold no connection while they wait; only the first goes
/// on to the advisory lock. A holder passes the lock to the next waiter only after the
/// server has released it, so a turn never waits for this process's own previous turn.
final class LocalTurnQueue: Sendable {
  private struct Waiter {
    let id: Int
    let continuation: CheckedContinuation<Void, any Error>
  }

  private struct State {
    /// Keys held, with their waiters in order.
    var held: [String: [Waiter]] = [:]
    /// Waiters cancelled before they were queued.
    var cancelled: Set<Int> = []
    var nextID = 0
  }

  private let state = Guarded(State())

  /// Takes `key`, waiting behind its holder and earlier waiters; `onWait` runs before waiting.
  /// Throws `CancellationError` (and leaves no waiter behind) when the task is cancelled.
  func acquire(_ key: String, onWait: () -> Void) async throws {
    let id = state.withLock { state -> Int? in
      if state.held[key] == nil {
        state.held[key] = []
        return nil
      }
      state.nextID += 1
      return state.nextID
    }
    guard let id else { return }
    onWait()
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        let cancelled = state.withLock { state -> Bool in
          if state.cancelled.remove(id) != nil { return true }
          state.held[key, default: []].append(Waiter(id: id, continuation: continuation))
          return false
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
      }
    } onCancel: {
      let waiter = state.withLock { state -> Waiter? in
        guard let index = state.held[key]?.firstIndex(where: { $0.id == id }) else {
          state.cancelled.insert(id)
          return nil
        }
        return state.held[key]?.remove(at: index)
      }
      waiter?.continuation.resume(throwing: CancellationError())
    }
  }

  /// Passes `key` to its next waiter, or frees it.
  func release(_ key: String) {
    let next = state.withLock { state -> Waiter? in
      guard var waiters = state.held[key] else { return nil }
      if waiters.isEmpty {
        state.held[key] = nil
        return nil
      }
      let next = waiters.removeFirst()
      state.held[key] = waiters
      return next
    }
    next?.continuation.resume()
  }
}
