import Logging
import PostgresNIO
import Synchronization
package import TGPTSession

/// The right to run a turn of one session: an open transaction, on a connection of its own
/// (not the pool's, whose connections every store call needs), holding
/// `pg_advisory_xact_lock` on a 64-bit hash of "principal:id". Releasing it (`release()`, or
/// dropping the last reference) ends the transaction and so the lock; a killed process's
/// connection ends and the server releases its locks.
package final class PostgresTurnLease: TurnLease {
  private let core: PostgresStoreCore
  private let key: String
  private let connection: LockConnection
  private let released = Atomic<Bool>(false)

  init(core: PostgresStoreCore, key: String, connection: LockConnection) {
    self.core = core
    self.key = key
    self.connection = connection
  }

  deinit {
    guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
    let (core, key, connection) = (core, key, connection)
    Task { await Self.end(core: core, key: key, connection: connection) }
  }

  /// Ends the transaction, and so the lock, and returns once the server has.
  package func release() async {
    guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
    await Self.end(core: core, key: key, connection: connection)
  }

  private static func end(core: PostgresStoreCore, key: String, connection: LockConnection) async {
    do {
      // Bounded: a connection that stopped answering (a network gone silent) must not keep
      // the session locked in this process; closing it ends the transaction on the server.
      let lock = connection.connection
      let logger = core.logger
      _ = try await withDeadline(seconds: core.url.connectTimeout + 5) {
        try await lock.dedicatedQuery("ROLLBACK", logger: logger)
      }
      core.recycle(connection)
    } catch {
      PostgresStoreCore.closeSoon(connection.connection)
    }
    core.localTurns.release(key)
  }
}

extension PostgresSessionStore {
  package func lockTurns(of id: String, onWait: @Sendable () -> Void) async throws -> any TurnLease {
    let key = principal + ":" + id
    let told = Atomic<Bool>(false)
    func tell() { if !told.exchange(true, ordering: .relaxed) { onWait() } }
    try await core.localTurns.acquire(key, onWait: tell)
    do {
      let lock = try await core.lockingConnection()
      let connection = lock.connection
      do {
        let logger = core.logger
        let first = try await connection.dedicatedQuery(
          "SELECT pg_try_advisory_xact_lock(hashtextextended(\(key), 0))", logger: logger)
        if try first.first?.decode(Bool.self) != true {
          tell()
          // Cancelling closes the connection (see `dedicatedQuery`) and cancels the wait on
          // the server: no waiter is left behind.
          _ = try await withTaskCancellationHandler {
            try await connection.dedicatedQuery(
              "SELECT pg_advisory_xact_lock(hashtextextended(\(key), 0))", logger: logger)
          } onCancel: { [core] in
            core.cancelBackend(of: lock)
          }
          try Task.checkCancellation()
        }
        return PostgresTurnLease(core: core, key: key, connection: lock)
      } catch {
        try? await connection.close()
        throw error
      }
    } catch {
      core.localTurns.release(key)
      if Task.isCancelled { throw CancellationError() }
      throw core.failure(error, connecting: false)
    }
  }
}
