import Foundation
import TGPTEvents
import TGPTSession
import Testing

/// Two principals with a session of the same name: each sees, searches, changes and locks
/// only their own.
@Suite struct PrincipalIsolationTests {
  @Test(.timeLimit(.minutes(5)), arguments: StoreBackend.allCases)
  func principalsNeverReachEachOthersSessions(_ backend: StoreBackend) async throws {
    let store = try await backend.makeStore().store
    let suffix = UUID().uuidString.prefix(8).lowercased()
    let alice = store.scoped(to: "alice-\(suffix)")
    let bob = store.scoped(to: "bob-\(suffix)")
    #expect(alice.principal == "alice-\(suffix)")
    try await recordTurn(alice, "work", "my card PIN is 4921", settings: SessionSettings(system: "Alice's assistant"))
    try await recordTurn(bob, "work", "bob's plain words", now: 2_000)

    #expect(try await alice.list(limit: nil).map(\.turns) == [1])
    #expect(try await bob.list(limit: nil).map(\.title) == ["bob's plain words"])
    let bobs = try await bob.history(of: "work")
    #expect(bobs.settings.system == nil, "bob does not get alice's system prompt")
    #expect(bobs.messages.map(\.content) == ["bob's plain words", "re: bob's plain words"])
    #expect(try await bob.session("work")?.messages.contains { $0.content.contains("4921") } == false)
    #expect(try await bob.search("4921", limit: 10).isEmpty)
    #expect(try await alice.search("4921", limit: 10).map(\.sessionID) == ["work", "work"])
    #expect(try await bob.search("PIN", limit: 10).isEmpty)
    #expect(try await alice.mostRecent() == "work")
    #expect(try await alice.ids(withPrefix: "w") == ["work"])

    // Bob's changes stay his.
    try await bob.update("work", settings: SessionSettings(model: "bob-model"), now: 3_000)
    #expect(try await alice.history(of: "work").settings.model == nil)
    try await bob.rename("work", to: "job")
    #expect(try await alice.session("work") != nil)
    #expect(try await alice.session("job") == nil)
    await #expect(throws: StoreError.self) { try await bob.remove("work") }
    try await bob.remove("job")
    #expect(try await alice.session("work")?.messages.count == 2, "alice's session outlives bob's")
    #expect(try await bob.list(limit: nil).isEmpty)

    // The same id under another principal is another session: an import does not collide.
    let export = try #require(try await alice.session("work"))
    try await bob.importSession(export)
    #expect(try await bob.session("work")?.messages.count == 2)
    await #expect(throws: StoreError.self) { try await alice.importSession(export) }

    // A turn of alice's `work` does not hold up bob's `work`.
    let held = try await alice.lockTurns(of: "work")
    let waited = Flag()
    let bobsLock = try await bob.lockTurns(of: "work") { waited.set() }
    #expect(!waited.isSet)
    withExtendedLifetime((held, bobsLock)) {}
    #expect(try await alice.check().isEmpty)
    #expect(try await bob.check().isEmpty)
  }
}
