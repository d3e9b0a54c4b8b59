import Logging
import PostgresNIO
import Synchronization
import TGPTSession

/// The right to run a turn of one session: an open transaction, on a connection of its own
/// (not the pool's, whose connections every store call needs), holding
/// `pg_advisory_xact_lock` on a 64-bit hash of "principal:id". Releasing it (`release()`, or
/// dropping the last reference) ends the transaction and so the lock; a killed process's
/// connection ends and the server releases its locks.
public final class PostgresTurnLease: TurnLease {
  private let core: PostgresStoreCore
  private let key: String
  private let connection: PostgresConnection
  private let released = Atomic<Bool>(false)

  init(core: PostgresStoreCore, key: String, connection: PostgresConnection) {
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
  public func release() async {
    guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
    await Self.end(core: core, key: key, connection: connection)
  }

  private static func end(core: PostgresStoreCore, key: String, connection: PostgresConnection) async {
    do {
      try await connection.query("ROLLBACK", logger: core.logger)
      core.recycle(connection)
    } catch {
      try? await connection.close()
    }
    core.localTurns.release(key)
  }
}

extension PostgresSessionStore {
  public func lockTurns(of id: String, onWait: @Sendable () -> Void) async throws -> any TurnLease {
    let key = principal + ":" + id
    let told = Atomic<Bool>(false)
    func tell() { if !told.exchange(true, ordering: .relaxed) { onWait() } }
    try await core.localTurns.acquire(key, onWait: tell)
    do {
      let connection = try await core.lockingConnection()
      do {
        let logger = core.logger
        let first = try await connection.query(
          "SELECT pg_try_advisory_xact_lock(hashtextextended(\(key), 0))", logger: logger)
        var taken = false
        for try await value in first.decode(Bool.self) { taken = value }
        if !taken {
          tell()
          // Cancelling closes the connection: the server drops the wait within a second
          // (client_connection_check_interval), and no waiter is left behind.
          _ = try await withTaskCancellationHandler {
            try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(key), 0))", logger: logger)
          } onCancel: {
            PostgresStoreCore.closeSoon(connection)
          }
          try Task.checkCancellation()
        }
        return PostgresTurnLease(core: core, key: key, connection: connection)
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

extension PostgresStoreCore {
  /// A connection of its own in an open transaction: an idle one that held an earlier turn
  /// lock, else a new one.
  func lockingConnection() async throws -> PostgresConnection {
    while let idle = idleLockConnections.withLock({ $0.popLast() }) {
      // One that died while idle (a restarted server) fails here and is replaced.
      if (try? await idle.query("BEGIN", logger: logger)) != nil { return idle }
      try? await idle.close()
    }
    let connection = try await connect()
    do {
      try await connection.query("BEGIN", logger: logger)
    } catch {
      try? await connection.close()
      throw error
    }
    return connection
  }

  /// Keeps `connection` for a later turn lock, or closes it when enough are kept.
  func recycle(_ connection: PostgresConnection) {
    let kept = idleLockConnections.withLock { idle -> Bool in
      guard idle.count < Self.idleLockConnectionLimit else { return false }
      idle.append(connection)
      return true
    }
    if !kept { Self.closeSoon(connection) }
  }
}
