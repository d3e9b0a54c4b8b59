import TGPTEvents

/// A value set once, which tasks wait for without holding a thread.
final class Latch<Value: Sendable>: Sendable {
  private let state = Guarded<(value: Value?, waiters: [Waiter])>((nil, []))

  init() {}

  /// The value, once set.
  var value: Value? { state.withLock { $0.value } }

  /// Sets the value (only the first call counts) and wakes every waiter.
  func set(_ value: Value) {
    let waiters = state.withLock { state -> [Waiter] in
      guard state.value == nil else { return [] }
      state.value = value
      defer { state.waiters = [] }
      return state.waiters
    }
    for waiter in waiters { waiter.resume(value) }
  }

  /// Waits for the value; nil when `timeout` (nil: none) passes first or the waiting task is
  /// cancelled.
  func wait(timeout: Duration? = nil) async -> Value? {
    let waiter = Waiter()
    return await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        waiter.arm(continuation)
        let ready = state.withLock { state -> Value? in
          if let value = state.value { return value }
          state.waiters.append(waiter)
          return nil
        }
        if let ready {
          waiter.resume(ready)
          return
        }
        if Task.isCancelled { waiter.resume(nil) }
        if let timeout {
          Task {
            try? await Task.sleep(for: timeout)
            waiter.resume(nil)
          }
        }
      }
    } onCancel: {
      waiter.resume(nil)
    }
  }

  /// One waiting task, resumed once: by the value, its timeout or its cancellation.
  private final class Waiter: Sendable {
    private let slot = Guarded<(continuation: CheckedContinuation<Value?, Never>?, resumed: Bool)>((nil, false))

    func arm(_ continuation: CheckedContinuation<Value?, Never>) {
      let early = slot.withLock { slot -> Bool in
        if slot.resumed { return true }
        slot.continuation = continuation
        return false
      }
      if early { continuation.resume(returning: nil) }
    }

    func resume(_ value: Value?) {
      let continuation = slot.withLock { slot -> CheckedContinuation<Value?, Never>? in
        defer {
          slot.continuation = nil
          slot.resumed = true
        }
        return slot.resumed ? nil : slot.continuation
      }
      continuation?.resume(returning: value)
    }
  }
}
