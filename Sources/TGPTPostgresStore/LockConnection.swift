import PostgresNIO

/// A connection that holds turn locks (outside the pool), how many it has held, and since
/// when it has been idle.
struct LockConnection: Sendable {
  let connection: PostgresConnection
  var uses: Int
  var idleSince = ContinuousClock.now
}

extension PostgresStoreCore {
  /// How many idle lock connections are kept for the next turns: enough for the sessions of
  /// a busy process to reuse them, few enough that several processes stay well within the
  /// server's `max_connections`.
  static let idleLockConnectionLimit = 16

  /// How long an idle lock connection is kept.
  static let lockConnectionIdleTime = Duration.seconds(60)

  /// How many turn locks one connection holds before it is closed and replaced: each
  /// query on it leaves a callback on its close future until it closes.
  static let lockConnectionUses = 1000

  /// A connection of its own in an open transaction: an idle one that held an earlier turn
  /// lock, else a new one.
  func lockingConnection() async throws -> LockConnection {
    while var idle = idleLockConnections.withLock({ $0.popLast() }) {
      // One that died while idle (a restarted server) fails here and is replaced.
      if (try? await idle.connection.dedicatedQuery("BEGIN", logger: logger)) != nil {
        idle.uses += 1
        return idle
      }
      try? await idle.connection.close()
    }
    let connection = try await connect()
    do {
      // A backend waiting for a turn lock learns within a second that its client went away
      // (a cancelled wait, a killed process), instead of when the lock is finally granted.
      // PostgreSQL 14 and later; older servers refuse the setting, and wait as before.
      _ = try? await connection.dedicatedQuery("SET client_connection_check_interval = '1s'", logger: logger)
      _ = try await connection.dedicatedQuery("BEGIN", logger: logger)
    } catch {
      try? await connection.close()
      throw error
    }
    return LockConnection(connection: connection, uses: 1)
  }

  /// Keeps `lock` for a later turn lock, or closes it when enough are kept; closes those
  /// idle for longer than `lockConnectionIdleTime`.
  func recycle(_ lock: LockConnection) {
    var lock = lock
    lock.idleSince = .now
    let (kept, expired) = idleLockConnections.withLock { idle -> (Bool, [LockConnection]) in
      let expired = idle.prefix { $0.idleSince.duration(to: lock.idleSince) > Self.lockConnectionIdleTime }
      idle.removeFirst(expired.count)
      guard idle.count < Self.idleLockConnectionLimit, lock.uses < Self.lockConnectionUses else {
        return (false, Array(expired))
      }
      idle.append(lock)
      return (true, Array(expired))
    }
    for old in expired { Self.closeSoon(old.connection) }
    if !kept { Self.closeSoon(lock.connection) }
  }
}
