/// The task doing some work, so that another task or a signal handler can cancel it — even
/// before it has started (it then starts cancelled), or learn that it has not started yet and
/// end the process itself.
package final class WorkSlot: Sendable {
  private let state = Guarded<(task: Task<Void, Never>?, cancelled: Bool)>((nil, false))

  package init() {}

  /// Runs `body` as the cancellable work and waits for its result.
  package func run<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> T {
    let box = ResultBox<T>()
    let task = Task { box.value = await body() }
    let cancelledAlready = state.withLock { state -> Bool in
      state.task = task
      return state.cancelled
    }
    if cancelledAlready { task.cancel() }
    await task.value
    return box.value!
  }

  /// Cancels the work; false when no work has started (the caller should then stop by itself).
  @discardableResult
  package func cancel() -> Bool {
    state.withLock { state in
      state.cancelled = true
      guard let task = state.task else { return false }
      task.cancel()
      return true
    }
  }
}

private final class ResultBox<T>: @unchecked Sendable {
  var value: T?
}
