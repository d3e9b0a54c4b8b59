import PostgresNIO
import TGPTEvents
import TGPTTestPostgres
import Testing

@testable import TGPTPostgresStore

/// A query on a connection that has closed, or is closing, fails rather than waiting.
/// postgres-nio alone never answers one written just after the close: under
/// ThreadSanitizer, a pooled connection closed by a server restart between its lease and its
/// query left `PostgresStoreTests`' store call waiting forever.
@Suite(.timeLimit(.minutes(5))) struct ClosedConnectionQueryTests {
  @Test func aQueryOnAClosedConnectionFailsInsteadOfWaiting() async throws {
    let core = try await PostgresSessionStore.open(PostgresURL(try await TestPostgres.database())).core
    let connection = try await core.connect()
    let answer = try await connection.rows("SELECT 41 + 1", logger: core.logger)
    #expect(try answer.first?.decode(Int.self) == 42, "an open connection answers")
    try await connection.close()
    let error = try await Self.outcome(of: connection, core)
    #expect(error is ConnectionClosed, "\(String(describing: error))")
  }

  /// Queries racing their connection's close all end, answered or failed. (Which side of the
  /// close each lands on is up to the scheduler: this cannot force the moment between a check
  /// made off the event loop and the write, which is why `rows` checks on the loop.)
  @Test func aQueryRacingItsConnectionsCloseEnds() async throws {
    let core = try await PostgresSessionStore.open(PostgresURL(try await TestPostgres.database())).core
    for _ in 0..<100 {
      let connection = try await core.connect()
      PostgresStoreCore.closeSoon(connection)
      _ = try await Self.outcome(of: connection, core)
    }
  }

  /// What `SELECT 1` on `connection` ended with (nil: answered). Run in a task of its own, so
  /// that a query never answered fails the test after two minutes rather than holding it
  /// forever (postgres-nio's queries ignore cancellation).
  static func outcome(of connection: PostgresConnection, _ core: PostgresStoreCore) async throws -> (any Error)? {
    let outcome = Guarded<(any Error)??>(nil)
    Task {
      do {
        try await connection.rows("SELECT 1", logger: core.logger)
        outcome.withLock { $0 = .some(nil) }
      } catch {
        outcome.withLock { $0 = .some(error) }
      }
    }
    try await PostgresStoreTests.until("the query on the closed connection to end") { outcome.withLock { $0 != nil } }
    return outcome.withLock { $0 ?? nil }
  }
}
