import Foundation
import GRDB
import TGPTEvents
import Testing

@testable import TGPTSession

/// Creating stores only where asked, removing by prefix, retrying a turn in place, and the
/// base URL a session remembers.
@Suite struct StoreLifecycleTests {
  static func scratch() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("tgpt-store-\(UUID().uuidString)").path
  }

  @Test func aStoreIsCreatedOnlyAsFarAsAllowed() throws {
    let directory = Self.scratch()
    let path = directory + "/deep/sessions.db"
    #expect(throws: StoreError.self) { try SQLiteSessionStore(path: path, creation: .never) }
    #expect(throws: StoreError.self) { try SQLiteSessionStore(path: path, creation: .file) }
    #expect(!FileManager.default.fileExists(atPath: directory))
    do {
      _ = try SQLiteSessionStore(path: path, creation: .never)
    } catch let error as StoreError {
      #expect(error.kind == .config && error.description.contains(path))
    }
    _ = try SQLiteSessionStore(path: path, creation: .fileAndDirectories)
    _ = try SQLiteSessionStore(path: path, creation: .never)
    try FileManager.default.createDirectory(atPath: directory + "/flat", withIntermediateDirectories: true)
    _ = try SQLiteSessionStore(path: directory + "/flat/s.db", creation: .file)
  }

  @Test(arguments: StoreBackend.allCases) func idsByPrefixTakeUnderscoresLiterally(_ backend: StoreBackend) async throws
  {
    let store = try await backend.makeStore().store
    for id in ["a_1", "a_2", "ab", "b_1"] { try await recordTurn(store, id, "hi") }
    #expect(try await store.ids(withPrefix: "a_") == ["a_1", "a_2"])
    #expect(try await store.ids(withPrefix: "a") == ["a_1", "a_2", "ab"])
    #expect(try await store.ids(withPrefix: "z").isEmpty)
  }

  @Test(arguments: StoreBackend.allCases) func aRetryReplacesTheLastTurn(_ backend: StoreBackend) async throws {
    let store = try await backend.makeStore().store
    try await recordTurn(store, "s", "first")
    try await recordTurn(store, "s", "second", status: .error)
    let retried = try await store.beginTurn(
      session: "s", settings: SessionSettings(), message: "second", replacingLastTurn: true, now: 9)
    #expect(retried.turn == 2)
    let session = try #require(try await store.session("s"))
    #expect(session.summary.turns == 2)
    #expect(session.messages.map(\.content) == ["first", "re: first", "second", ""])
    #expect(try await store.check().isEmpty)
  }

  @Test(arguments: StoreBackend.allCases) func theBaseURLIsRememberedForItsProviderOnly(_ backend: StoreBackend)
    async throws
  {
    let store = try await backend.makeStore().store
    let local = SessionSettings(model: "m", provider: "compatible", baseURL: "http://127.0.0.1:9/v1")
    try await recordTurn(store, "s", "one", settings: local)
    try await recordTurn(store, "s", "two", settings: SessionSettings(provider: "compatible", baseURL: "http://x/v1"))
    #expect(try await store.history(of: "s").settings.baseURL == "http://127.0.0.1:9/v1")
    let exported = try #require(try await store.session("s"))
    let header = String(decoding: SessionExport.header(exported.summary), as: UTF8.self)
    #expect(header.contains(#""base_url":"http://127.0.0.1:9/v1""#))
    let reread = try SessionExport(lines: exported.lines.map { try JSON.parse(String(decoding: $0, as: UTF8.self)) })
    #expect(reread.summary.settings.baseURL == "http://127.0.0.1:9/v1")
  }

  @Test(arguments: StoreBackend.allCases) func anotherProviderForgetsTheBaseURLUnlessGivenOne(_ backend: StoreBackend)
    async throws
  {
    let store = try await backend.makeStore().store
    let local = SessionSettings(provider: "compatible", baseURL: "http://127.0.0.1:9/v1")
    try await recordTurn(store, "s", "one", settings: local)
    try await store.update("s", settings: SessionSettings(model: "m2"), now: 5)
    #expect(try await store.history(of: "s").settings.baseURL == "http://127.0.0.1:9/v1")
    try await store.update("s", settings: SessionSettings(provider: "openai"), now: 6)
    #expect(try await store.history(of: "s").settings.baseURL == nil, "a hosted key would go to the old server")
    try await store.update("s", settings: SessionSettings(provider: "compatible", baseURL: "http://b/v1"), now: 7)
    #expect(try await store.history(of: "s").settings.baseURL == "http://b/v1")
    try await store.update("s", settings: SessionSettings(baseURL: ""), now: 8)
    #expect(try await store.history(of: "s").settings.baseURL == nil)
  }

  @Test func aPathThatIsNoStoreIsAConfigError() async throws {
    let directory = Self.scratch()
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try "not sqlite\n".write(toFile: directory + "/text.db", atomically: false, encoding: .utf8)
    for path in [directory, directory + "/text.db"] {
      do {
        _ = try SQLiteSessionStore(path: path, creation: .never)
        Issue.record("\(path) opened as a store")
      } catch let error as StoreError {
        #expect(error.kind == .config && error.description.hasPrefix("\(path) is not a session store"))
      }
    }
  }

  @Test func aStoreOfTheFirstVersionGainsTheBaseURLColumn() async throws {
    let directory = Self.scratch()
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let path = directory + "/old.db"
    // A store as the first version left it: only its first migration applied.
    let queue = try DatabaseQueue(path: path)
    try SQLiteSessionStore.migrator.migrate(queue, upTo: "v1")
    try await queue.write { db in
      try db.execute(sql: "INSERT INTO session (id, created_at, updated_at, turns) VALUES ('old', 1, 1, 0)")
    }
    try queue.close()
    let store = try SQLiteSessionStore(path: path, creation: .never)
    #expect(try await store.list(limit: nil).map(\.id) == ["old"])
    try await recordTurn(store, "old", "hi", settings: SessionSettings(provider: "compatible", baseURL: "http://b/v1"))
    #expect(try await store.history(of: "old").settings.baseURL == "http://b/v1")
  }
}
