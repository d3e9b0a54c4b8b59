import Dispatch
import GRDB
import TGPTEvents

/// Group commit: store operations that arrive while a transaction is running are run together
/// in the next one, each in its own savepoint (so one failing does not undo the others), and
/// each caller resumes only after the commit. One turn alone costs what it did before; 500
/// sessions answering at once share transactions, WAL writes and thread hand-offs.
final class BatchedTransactions: Sendable {
  private let queue: DatabaseQueue
  private let pending = Guarded<(jobs: [Job], running: Bool)>(([], false))
  private let runner = DispatchQueue(label: "tgpt.store.batch")

  init(queue: DatabaseQueue) { self.queue = queue }

  /// Runs `body` in a savepoint of the next batch's IMMEDIATE transaction.
  func perform<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      let job = Job { db in
        var value: T?
        do {
          try db.inSavepoint {
            value = try body(db)
            return .commit
          }
        } catch {
          return { continuation.resume(throwing: error) }
        }
        let result = value!
        return { continuation.resume(returning: result) }
      } fail: { error in
        continuation.resume(throwing: error)
      }
      let start = pending.withLock { state -> Bool in
        state.jobs.append(job)
        defer { state.running = true }
        return !state.running
      }
      if start { runner.async { self.drain() } }
    }
  }

  /// Runs batches until no job is waiting.
  private func drain() {
    while true {
      let jobs = pending.withLock { state -> [Job] in
        if state.jobs.isEmpty { state.running = false }
        defer { state.jobs.removeAll(keepingCapacity: true) }
        return state.jobs
      }
      if jobs.isEmpty { return }
      var deliveries: [() -> Void] = []
      deliveries.reserveCapacity(jobs.count)
      do {
        try queue.writeWithoutTransaction { db in
          try db.inTransaction(.immediate) {
            for job in jobs { deliveries.append(job.run(db)) }
            return .commit
          }
        }
      } catch {
        for job in jobs { job.fail(error) }
        continue
      }
      for deliver in deliveries { deliver() }
    }
  }
}

/// One operation of a batch: `run` does the work and returns how to report it after the
/// commit; `fail` reports a transaction that did not commit.
private struct Job: Sendable {
  let run: @Sendable (Database) -> @Sendable () -> Void
  let fail: @Sendable (any Error) -> Void

  init(
    _ run: @escaping @Sendable (Database) -> @Sendable () -> Void, fail: @escaping @Sendable (any Error) -> Void
  ) {
    self.run = run
    self.fail = fail
  }
}
