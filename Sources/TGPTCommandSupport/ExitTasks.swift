import TGPTEvents

/// Work to finish before the process exits, such as closing a database's connections so the
/// server sees a clean goodbye. `runMain` runs it after the command, whether it succeeded or
/// failed, for at most two seconds: an unreachable server never delays the exit for longer.
package enum ExitTasks {
  private static let tasks = Guarded<[@Sendable () async -> Void]>([])

  /// Adds `task`; tasks run concurrently.
  package static func add(_ task: @escaping @Sendable () async -> Void) {
    tasks.withLock { $0.append(task) }
  }

  /// Runs the tasks added so far (each once), waiting for them at most two seconds.
  static func run() async {
    let pending = tasks.withLock { tasks in
      defer { tasks.removeAll() }
      return tasks
    }
    guard !pending.isEmpty else { return }
    await withTaskGroup(of: Bool.self) { group in
      group.addTask {
        await withTaskGroup(of: Void.self) { inner in
          for task in pending { inner.addTask { await task() } }
        }
        return true
      }
      group.addTask {
        try? await Task.sleep(for: .seconds(2))
        return false
      }
      _ = await group.next()
      group.cancelAll()
    }
  }
}
