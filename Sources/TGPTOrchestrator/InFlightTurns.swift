import TGPTEvents

/// The turns a message loop has started: chained per key, so work of one key runs in order
/// while different keys run at once; all of them can be cancelled or awaited together, and a
/// turn alone by its request id.
final class InFlightTurns: Sendable {
  private struct State {
    /// The last task of each key, which the key's next task waits for.
    var tails: [String: (serial: Int, task: Task<Void, Never>)] = [:]
    var all: [Int: Task<Void, Never>] = [:]
    /// The request id and session of each turn started with one, and why a cancel stopped it.
    var labels: [Int: (label: Label, cancelReason: String?)] = [:]
    var nextSerial = 0
    var cancelled = false
  }

  private let state = Guarded(State())

  /// What names a turn for a cancel.
  struct Label: Equatable {
    var requestID: String
    var sessionID: String
    var principal: String
  }

  /// Starts `body` after the work already started for `key`.
  func start(key: String, _ body: @escaping @Sendable () async -> Void) {
    start(key: key, label: nil) { _ in await body() }
  }

  /// Starts `body` after the work already started for `key`; `label` names the turn for
  /// `cancel(requestID:sessionID:principal:reason:)`, and `body` is given the cancel's reason
  /// to ask for.
  func start(
    key: String, label: Label?,
    _ body: @escaping @Sendable (_ cancelReason: @escaping @Sendable () -> String?) async -> Void
  ) {
    state.withLock { state in
      let serial = state.nextSerial
      state.nextSerial += 1
      if let label { state.labels[serial] = (label, nil) }
      let previous = state.tails[key]?.task
      let task = Task {
        await previous?.value
        await body { self.state.withLock { $0.labels[serial]?.cancelReason } }
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
      state.labels[serial] = nil
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

  /// Cancels the principal's started turns with this request id (in this session, when given),
  /// running or still waiting for their key's earlier work, noting `reason` for them; how many
  /// there were.
  @discardableResult
  func cancel(requestID: String, sessionID: String?, principal: String, reason: String) -> Int {
    let tasks = state.withLock { state in
      var tasks: [Task<Void, Never>] = []
      for (serial, (label, _)) in state.labels
      where label.requestID == requestID && label.principal == principal
        && (sessionID == nil || sessionID == label.sessionID)
      {
        state.labels[serial]?.cancelReason = reason
        if let task = state.all[serial] { tasks.append(task) }
      }
      return tasks
    }
    for task in tasks { task.cancel() }
    return tasks.count
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
