import Foundation
import Synchronization
import TGPTEvents
import TGPTPostgresStore
import TGPTSession
import TGPTTestPostgres
import Testing

/// The stores the store suite runs against: a SQLite file, and a real PostgreSQL server the
/// tests start themselves.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case sqlite
  case postgres

  var testDescription: String { rawValue }

  /// A fresh, empty store, and a way to open it again (as another process would).
  func makeStore() async throws -> (store: any SessionStore, reopen: @Sendable () async throws -> any SessionStore) {
    switch self {
    case .sqlite:
      let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tgpt-store-\(UUID().uuidString)")
      let path = directory.path + "/sessions.db"
      let open: @Sendable () async throws -> any SessionStore = { try SQLiteSessionStore(path: path) }
      return (try await open(), open)
    case .postgres:
      // One database shared by the process's tests, each test its own principal: as many
      // users of one server, and no test sees another's sessions.
      let url = try await Self.sharedDatabase()
      let principal = "t-" + UUID().uuidString.lowercased()
      let open: @Sendable () async throws -> any SessionStore = {
        try await PostgresSessionStore.open(PostgresURL(url), principal: principal)
      }
      return (try await open(), open)
    }
  }

  private static let database = Guarded<Task<String, any Error>?>(nil)

  static func sharedDatabase() async throws -> String {
    let task = database.withLock { task in
      if let task { return task }
      let created = Task { try await TestPostgres.database() }
      task = created
      return created
    }
    return try await task.value
  }
}

/// Records a whole turn: the message and its answer.
@discardableResult
func recordTurn(
  _ store: any SessionStore, _ id: String, _ message: String, answer: String? = nil, status: MessageStatus = .complete,
  now: Int64 = 1_000, settings: SessionSettings = SessionSettings()
) async throws -> TurnRecord {
  let turn = try await store.beginTurn(session: id, settings: settings, message: message, now: now)
  try await store.finishTurn(
    turn, content: answer ?? "re: " + message, status: status, model: "m", usage: nil, toolCalls: nil, error: nil,
    now: now + 1)
  return turn
}

/// A SQLite store in a fresh directory, and its path.
func makeStore() throws -> (SQLiteSessionStore, String) {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tgpt-store-\(UUID().uuidString)").path
  let path = directory + "/sessions.db"
  return (try SQLiteSessionStore(path: path), path)
}

final class Flag: Sendable {
  private let state = Atomic<Bool>(false)
  func set() { state.store(true, ordering: .sequentiallyConsistent) }
  var isSet: Bool { state.load(ordering: .sequentiallyConsistent) }
}
