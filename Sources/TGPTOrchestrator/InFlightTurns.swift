import Synchronization

/// The turns a message loop has started: chained per key, so work of one key runs in order
/// while different keys run at once; all of them can be cancelled or awaited together.
final class InFlightTurns: Sendable {
  private struct State {
    /// The last task of each key, which the key's next task waits for.
    var tails: [String: (serial: Int, task: Task<Void, Never>)] = [:]
    var all: [Int: Task<Void, Never>] = [:]
    var nextSerial = 0
    var cancelled = false
  }

  private let state = Mutex(State())

  /// Starts `body` after the work already started for `key`.
  func start(key: String, _ body: @escaping @Sendable () async -> Void) {
    state.withLock { state in
      let serial = state.nextSerial
      state.nextSerial += 1
      let previous = state.tails[key]?.task
      let task = Task {
        await previous?.value
        await body()
        self.finished(serial: serial, key: key)
      }
      if state.cancelled { task.cancel() }
      state.tails[key] = (serial, task)
      state.all[serial] = task
    }
  }

  private func finished(serial: Int, key: String) {
    state.withLock { state in
      state.all[serial] = nil
      if state.tails[key]?.serial == serial { state.tails[key] = nil }
    }
  }

  /// Cancels every started turn, and any started later.
  func cancelAll() {
    let tasks = state.withLock { state in
      state.cancelled = true
      return Array(state.all.values)
    }
    for task in tasks { task.cancel() }
  }

  /// Waits until every started turn has finished.
  func waitAll() async {
    while true {
      let tasks = state.withLock { Array($0.all.values) }
      if tasks.isEmpty { return }
      for task in tasks { await task.value }
    }
  }
}
