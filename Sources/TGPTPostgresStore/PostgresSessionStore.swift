package import Logging
import PostgresNIO
import TGPTEvents
package import TGPTSession

/// Sessions in a PostgreSQL database, for several processes and machines sharing one store:
/// the same behaviour as `SQLiteSessionStore`, with sessions keyed by (principal, id), a
/// `tsvector` search index and turn locks that are advisory locks of the server.
///
/// Lifetime: the store runs postgres-nio's connection pool in a task of its own, started by
/// `open` and ended by `shutdown()` or, failing that, when the last view of the store
/// (`scoped(to:)` gives views that share it) goes away. Turn leases hold connections of
/// their own and outlive neither their holder nor the process: the server ends a killed
/// process's transactions and releases its locks.
package final class PostgresSessionStore: SessionStore {
  let core: PostgresStoreCore
  package let principal: String

  /// Where the store is (without its password).
  package var url: PostgresURL { core.url }

  private init(core: PostgresStoreCore, principal: String) {
    self.core = core
    self.principal = principal
  }

  /// Connects to the database at `url`, brings its tables up to date and starts the pool.
  /// Fails within the URL's `connect_timeout` when the server cannot be reached
  /// (`StoreError`, kind `unavailable`, naming host:port and the cause); a refused user,
  /// password or database is a `config` error.
  package static func open(
    _ url: PostgresURL, principal: String = PrincipalRule.default,
    logger: Logger = Logger(label: "tgpt.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
  ) async throws -> PostgresSessionStore {
    let core = try PostgresStoreCore(url: url, logger: logger)
    let connection = try await core.connect()
    do {
      try await PostgresSchema.migrate(connection, logger: logger)
    } catch {
      try? await connection.close()
      throw core.failure(error, connecting: false)
    }
    try? await connection.close()
    core.start()
    return PostgresSessionStore(core: core, principal: principal)
  }

  package func scoped(to principal: String) -> any SessionStore {
    PostgresSessionStore(core: core, principal: principal)
  }

  /// Closes the pool (for every view of the store) and waits until it has closed. Calls
  /// made afterwards fail; leases already given keep their connections until released.
  package func shutdown() async { await core.shutdown() }

  /// Runs `body` on a pooled connection, with failures as `StoreError`s.
  @discardableResult
  func perform<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) async throws
    -> T
  {
    let logger = core.logger
    return try await core.perform { connection in try await body(connection, logger) }
  }

  /// Runs `body` in a transaction on a pooled connection: committed when it returns, rolled
  /// back when it throws (its error is the call's). Not postgres-nio's `withTransaction`,
  /// whose queries would not be `rows`' (see there).
  @discardableResult
  func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T)
    async throws -> T
  {
    try await perform { connection, logger in
      try await connection.rows("BEGIN", logger: logger)
      let value: T
      do {
        value = try await body(connection, logger)
      } catch {
        _ = try? await connection.rows("ROLLBACK", logger: logger)
        throw error
      }
      try await connection.rows("COMMIT", logger: logger)
      return value
    }
  }
}
