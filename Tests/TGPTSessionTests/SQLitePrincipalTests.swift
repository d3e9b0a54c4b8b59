import Foundation
import GRDB
import TGPTEvents
import Testing

@testable import TGPTSession

/// Sessions keyed by (principal, id) in SQLite: a store written before principals keeps every
/// session and message (they become the default principal's), and two principals' sessions of
/// one name never meet.
@Suite(.timeLimit(.minutes(5))) struct SQLitePrincipalTests {
  @Test func aStoreFromBeforePrincipalsKeepsEverythingAsTheDefaultPrincipals() async throws {
    let path = StoreLifecycleTests.scratch() + ".db"
    let queue = try DatabaseQueue(path: path)
    try SQLiteSessionStore.migrator.migrate(queue, upTo: "v2-base-url")
    try await queue.write { db in
      try db.execute(
        sql: """
          INSERT INTO session (id, created_at, updated_at, model, turns, title, base_url)
            VALUES ('old', 1, 2, 'm', 1, 'Zürich weather', 'http://x');
          INSERT INTO message (session_id, seq, turn, role, content, status, created_at)
            VALUES ('old', 1, 1, 'user', 'Zürich weather?', 'complete', 1),
                   ('old', 2, 1, 'assistant', 'Sunny in Zürich', 'complete', 2);
          """)
    }
    try queue.close()

    let store = try SQLiteSessionStore(path: path, creation: .never)
    let old = try #require(try await store.session("old"))
    #expect(
      old.summary.turns == 1 && old.summary.title == "Zürich weather" && old.summary.settings.baseURL == "http://x")
    #expect(old.messages.map(\.content) == ["Zürich weather?", "Sunny in Zürich"])
    #expect(try await store.search("sunny", limit: 5).map(\.sessionID) == ["old"], "the full-text index survived")
    #expect(try await store.check() == [])
    // The rebuilt tables take new turns, and the index follows them.
    let turn = try await store.beginTurn(session: "old", settings: SessionSettings(), message: "and Bern?", now: 3)
    #expect(turn.turn == 2 && turn.answerSeq == 4)
    #expect(try await store.search("bern", limit: 5).map(\.seq) == [3])
    #expect(try await store.scoped(to: "alice").session("old") == nil)
  }

  @Test func aStoreANewerVersionMigratedIsRefusedNotMisread() async throws {
    let path = StoreLifecycleTests.scratch() + ".db"
    _ = try SQLiteSessionStore(path: path)
    let queue = try DatabaseQueue(path: path)
    try await queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v99-future')") }
    try queue.close()
    #expect {
      _ = try SQLiteSessionStore(path: path, creation: .never)
    } throws: { error in
      (error as? StoreError).map { $0.kind == .config && $0.description.contains("a newer version") } ?? false
    }
  }

  @Test func twoPrincipalsSessionsOfOneNameNeverMeet() async throws {
    let path = StoreLifecycleTests.scratch() + ".db"
    let alice = try SQLiteSessionStore(path: path).scoped(to: "alice")
    let bob = alice.scoped(to: "bob")
    #expect(alice.principal == "alice" && bob.principal == "bob")
    let aliceTurn = try await alice.beginTurn(
      session: "work", settings: SessionSettings(system: "Alice's assistant"), message: "my PIN is 4921", now: 1)
    try await alice.finishTurn(
      aliceTurn, content: "noted", status: .complete, model: nil, usage: nil, toolCalls: nil, error: nil, now: 2)
    let bobTurn = try await bob.beginTurn(session: "work", settings: SessionSettings(), message: "hello", now: 3)
    #expect(bobTurn.turn == 1, "bob's work is a new session")

    #expect(try await bob.history(of: "work").messages.map(\.content) == ["hello", ""])
    #expect(try await bob.history(of: "work").settings.system == nil)
    #expect(try await bob.search("4921", limit: 9).isEmpty)
    #expect(try await alice.search("4921", limit: 9).map(\.sessionID) == ["work"])
    #expect(try await bob.list(limit: nil).map(\.turns) == [1])
    #expect(try await bob.ids(withPrefix: "w") == ["work"])
    #expect(try await SQLiteSessionStore(path: path).list(limit: nil).isEmpty, "the default principal has none")

    try await bob.rename("work", to: "play")
    #expect(try await alice.session("work")?.messages.first?.content == "my PIN is 4921")
    try await bob.remove("play")
    await #expect(throws: StoreError.self) { try await bob.remove("work") }
    #expect(try await alice.mostRecent() == "work")
    #expect(try await alice.check() == [])
  }

  @Test func aTurnLockIsPerPrincipal() async throws {
    let path = StoreLifecycleTests.scratch() + ".db"
    let alice = try SQLiteSessionStore(path: path).scoped(to: "alice")
    var held: (any TurnLease)? = try await alice.lockTurns(of: "work")
    // Bob's `work` is free while alice's is held; alice's own is not.
    let bobs = try await alice.scoped(to: "bob").lockTurns(of: "work")
    let waited = Guarded(false)
    let second = Task { try await alice.lockTurns(of: "work") { waited.withLock { $0 = true } } }
    while !waited.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
    #expect(held != nil)
    held = nil
    _ = try await second.value
    withExtendedLifetime(bobs) {}
  }
}
