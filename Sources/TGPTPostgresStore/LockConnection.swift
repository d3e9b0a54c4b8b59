import Logging
import PostgresNIO
import TGPTEvents

/// A connection that holds turn locks (outside the pool), and since when it has been idle.
struct LockConnection: Sendable {
  let connection: PostgresConnection
  /// Its backend on the server: pid and start time (so a pid reused by another backend is
  /// never taken for it).
  let backend: (pid: Int32, started: String)
  var idleSince = ContinuousClock.now
}

extension PostgresStoreCore {
  /// How many idle lock connections are kept for the next turns: enough for the sessions of
  /// a busy process to reuse them, few enough that several processes stay well within the
  /// server's `max_connections`.
  static let idleLockConnectionLimit = 16

  /// How long an idle lock connection is kept.
  static let lockConnectionIdleTime = Duration.seconds(60)

  /// A connection of its own in an open transaction: an idle one that held an earlier turn
  /// lock, else a new one.
  func lockingConnection() async throws -> LockConnection {
    while let idle = idleLockConnections.withLock({ $0.popLast() }) {
      // One that died while idle (a restarted server) fails here and is replaced.
      if (try? await idle.connection.dedicatedQuery("BEGIN", logger: logger)) != nil { return idle }
      try? await idle.connection.close()
    }
    let connection = try await connect()
    do {
      let backend = try await Self.backend(of: connection, logger: logger)
      _ = try await connection.dedicatedQuery("BEGIN", logger: logger)
      return LockConnection(connection: connection, backend: backend)
    } catch {
      try? await connection.close()
      throw error
    }
  }

  /// The backend of `connection`, told to check every second, while it waits for a lock,
  /// that its client is still there (a killed process, a cancelled wait), instead of waiting
  /// until the lock is granted. PostgreSQL 14 and later; older servers wait as before.
  private static func backend(of connection: PostgresConnection, logger: Logger) async throws -> (
    pid: Int32, started: String
  ) {
    let rows: [PostgresRow]
    do {
      rows = try await connection.dedicatedQuery(
        """
        SELECT pid, backend_start::text, set_config('client_connection_check_interval', '1s', false)
        FROM pg_stat_activity WHERE pid = pg_backend_pid()
        """, logger: logger)
    } catch let error as PSQLError where error.serverInfo != nil {
      rows = try await connection.dedicatedQuery(
        "SELECT pid, backend_start::text FROM pg_stat_activity WHERE pid = pg_backend_pid()", logger: logger)
    }
    guard let row = rows.first else { throw ConnectionClosed() }
    let (pid, started) = try row.decode((Int32, String).self)
    return (pid, started)
  }

  /// Cancels what the backend of `lock` is doing (a lock wait that its task gave up): the
  /// closed connection alone would leave the wait on the server for up to a second, or, on
  /// servers before 14, until the lock is granted.
  func cancelBackend(of lock: LockConnection) {
    let (pid, started) = lock.backend
    Task {
      try? await self.perform { connection in
        try await connection.rows(
          """
          SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = \(pid) AND backend_start::text = \(started)
          """, logger: self.logger)
      }
    }
  }

  /// Keeps `lock` for a later turn lock, or closes it when enough are kept; closes those
  /// idle for longer than `lockConnectionIdleTime`.
  func recycle(_ lock: LockConnection) {
    var lock = lock
    lock.idleSince = .now
    let (kept, expired) = idleLockConnections.withLock { idle -> (Bool, [LockConnection]) in
      let expired = idle.prefix { $0.idleSince.duration(to: lock.idleSince) > Self.lockConnectionIdleTime }
      idle.removeFirst(expired.count)
      guard idle.count < Self.idleLockConnectionLimit else {
        return (false, Array(expired))
      }
      idle.append(lock)
      return (true, Array(expired))
    }
    for old in expired { Self.closeSoon(old.connection) }
    if !kept { Self.closeSoon(lock.connection) }
  }
}
