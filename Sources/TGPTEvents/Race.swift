/// Work raced against something that cuts it short: a timer, or a wait for the user's Ctrl-C.
package enum Race {
  /// Runs `work`; when `trigger` returns first, `work` is cancelled and its result is what it
  /// returns once cancelled. Whichever is still running is cancelled, and both have ended when
  /// this returns, so `trigger` must return once cancelled.
  package static func run<T: Sendable>(
    _ work: @escaping @Sendable () async -> T, cancelledWhen trigger: @escaping @Sendable () async -> Void
  ) async -> T {
    await withTaskGroup(of: T?.self) { group in
      group.addTask { await work() }
      group.addTask {
        await trigger()
        return nil
      }
      var result: T?
      while let next = await group.next() {
        group.cancelAll()
        if let next { result = next }
      }
      // The work task always ends with a value: the loop ran until both had ended.
      return result!
    }
  }

  /// Runs `work`, cancelling it if it is still running after `timeout`; its result.
  package static func run<T: Sendable>(_ work: @escaping @Sendable () async -> T, cancelledAfter timeout: Duration)
    async -> T
  {
    await run(work, cancelledWhen: { try? await Task.sleep(for: timeout) })
  }
}
