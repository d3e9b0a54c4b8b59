import Logging
import NIOCore
import PostgresNIO
import Synchronization

extension PostgresConnection {
  /// `query` on a connection of the store's own (turn locks, set-up), failing when the
  /// connection is or becomes closed. postgres-nio never answers a query written to a closed
  /// connection, so a lock connection the server dropped (a restart) would otherwise hang
  /// its turn, and every later turn of the session, forever. Cancelling the task closes the
  /// connection (postgres-nio cannot cancel a query), which ends the query on the server.
  func dedicatedQuery(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
    if isClosed { throw ConnectionClosed() }
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { continuation in
        let once = Once()
        let result: EventLoopFuture<PostgresQueryResult> = self.query(query, logger: logger)
        result.whenComplete { result in
          if once.claim() { continuation.resume(with: result.map(\.rows)) }
        }
        closeFuture.whenComplete { _ in
          if once.claim() { continuation.resume(throwing: ConnectionClosed()) }
        }
      }
    } onCancel: {
      PostgresStoreCore.closeSoon(self)
    }
  }
}

/// The server closed a dedicated connection (or it was closed under a query).
struct ConnectionClosed: Error, CustomStringConvertible {
  var description: String { "the server closed the connection" }
}

/// True the first time only.
private final class Once: Sendable {
  private let done = Atomic<Bool>(false)
  func claim() -> Bool { !done.exchange(true, ordering: .acquiringAndReleasing) }
}
