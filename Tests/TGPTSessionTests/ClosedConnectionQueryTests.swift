import PostgresNIO
import TGPTEvents
import TGPTTestPostgres
import Testing

@testable import TGPTPostgresStore

/// A query on a connection that has closed fails at once. postgres-nio alone never answers
/// it: under ThreadSanitizer, a pooled connection closed by a server restart between its
/// lease and its query left `PostgresStoreTests`' store call waiting forever.
@Suite(.timeLimit(.minutes(5))) struct ClosedConnectionQueryTests {
  @Test func aQueryOnAClosedConnectionFailsInsteadOfWaiting() async throws {
    let core = try await PostgresSessionStore.open(PostgresURL(try await TestPostgres.database())).core
    for _ in 0..<2 {
      let connection = try await core.connect()
      let answer = try await connection.rows("SELECT 41 + 1", logger: core.logger)
      #expect(try answer.first?.decode(Int.self) == 42, "an open connection answers")
      try await connection.close()
      // In a task of its own, so that a query that is never answered fails the test rather
      // than holding it forever (postgres-nio's queries ignore cancellation).
      let outcome = Guarded<(any Error)??>(nil)
      Task {
        do {
          try await connection.rows("SELECT 1", logger: core.logger)
          outcome.withLock { $0 = .some(nil) }
        } catch {
          outcome.withLock { $0 = .some(error) }
        }
      }
      try await PostgresStoreTests.until("the query on the closed connection to end") {
        outcome.withLock { $0 != nil }
      }
      let error = outcome.withLock { $0 ?? nil }
      #expect(error is ConnectionClosed, "\(String(describing: error))")
    }
  }
}
