import Logging
import NIOCore
import PostgresNIO

extension PostgresConnection {
  /// The rows of `query`, or a failure once the connection is closed; every query of the
  /// store goes through here.
  ///
  /// Why not postgres-nio's `query` as it is: a query written to a connection that has just
  /// closed is never answered (the write finds no handler left in the channel to fail it,
  /// and the caller waits forever). A pooled connection can close between its lease and its
  /// query (the server restarted), and a lock connection between two turns. Written from
  /// the connection's event loop, after seeing it open there, the query reaches the handler,
  /// which fails it if the connection closes later.
  @discardableResult
  func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
    try await eventLoop.flatSubmit { () -> EventLoopFuture<PostgresQueryResult> in
      if self.isClosed { return self.eventLoop.makeFailedFuture(ConnectionClosed()) }
      return self.query(query, logger: logger)
    }.get().rows
  }

  /// `rows(query)` on a connection of the store's own (turn locks, set-up), where cancelling
  /// the task closes the connection: postgres-nio cannot cancel a query, and closing ends it
  /// on the server (a lock wait given up).
  @discardableResult
  func dedicatedQuery(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
    try await withTaskCancellationHandler {
      try await rows(query, logger: logger)
    } onCancel: {
      PostgresStoreCore.closeSoon(self)
    }
  }
}

/// The connection was closed (by the server, or by this process on a cancel) before the
/// query could be written.
struct ConnectionClosed: Error, CustomStringConvertible {
  var description: String { "the connection was closed" }
}
