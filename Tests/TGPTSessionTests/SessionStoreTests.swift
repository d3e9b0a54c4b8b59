import Foundation
import Synchronization
import TGPTEvents
import Testing

@testable import TGPTSession

/// The store's behaviour, the same on every backend.
@Suite struct SessionStoreTests {
  @Test(arguments: StoreBackend.allCases) func aTurnRecordsTheMessageAndAnInterruptedPlaceholderUntilFinished(
    _ backend: StoreBackend
  ) async throws {
    let store = try await backend.makeStore().store
    let turn = try await store.beginTurn(
      session: "s", settings: SessionSettings(model: "a/b", provider: "echo"), message: "hello there", now: 5)
    var session = try #require(try await store.session("s"))
    #expect(session.messages.map(\.role) == ["user", "assistant"])
    #expect(session.messages.map(\.status) == [.complete, .interrupted], "a killed turn reads as interrupted")
    #expect(session.summary.turns == 1)
    #expect(session.summary.title == "hello there")
    #expect(session.summary.settings.model == "a/b")

    let usage = Usage(promptTokens: 3, completionTokens: 4, totalTokens: 7)
    try await store.finishTurn(
      turn, content: "hi!", status: .complete, model: "a/b-1", usage: usage, toolCalls: nil, error: nil, now: 9)
    session = try #require(try await store.session("s"))
    let answer = session.messages[1]
    #expect(answer.content == "hi!" && answer.status == .complete && answer.model == "a/b-1")
    #expect(answer.usage == usage)
    #expect(session.summary.updatedAt == 5, "last used is when the turn started")
    #expect(try await store.check().isEmpty)
  }

  @Test(arguments: StoreBackend.allCases) func theFirstTurnsSettingsAreRememberedAndSetChangesThem(
    _ backend: StoreBackend
  ) async throws {
    let store = try await backend.makeStore().store
    try await recordTurn(store, "s", "one", settings: SessionSettings(model: "first", system: "be brief"))
    try await recordTurn(store, "s", "two", settings: SessionSettings(model: "second", provider: "echo"))
    var settings = try #require(try await store.session("s")).summary.settings
    #expect(settings == SessionSettings(model: "first", provider: "echo", system: "be brief"), "gaps are filled")
    try await store.update("s", settings: SessionSettings(model: "third"), now: 50)
    settings = try #require(try await store.session("s")).summary.settings
    #expect(settings == SessionSettings(model: "third", provider: "echo", system: "be brief"))
  }

  @Test(arguments: StoreBackend.allCases) func listAndMostRecentOrderByLastUseThenID(_ backend: StoreBackend)
    async throws
  {
    let store = try await backend.makeStore().store
    try await recordTurn(store, "b", "x", now: 100)
    try await recordTurn(store, "a", "x", now: 100)
    try await recordTurn(store, "c", "x", now: 50)
    #expect(try await store.list(limit: nil).map(\.id) == ["a", "b", "c"])
    #expect(try await store.list(limit: 1).map(\.id) == ["a"])
    #expect(try await store.mostRecent() == "a")
    try await recordTurn(store, "c", "again", now: 200)
    #expect(try await store.mostRecent() == "c")
  }

  @Test(arguments: StoreBackend.allCases) func renameMovesMessagesAndRefusesATakenID(_ backend: StoreBackend)
    async throws
  {
    let store = try await backend.makeStore().store
    try await recordTurn(store, "old", "kept words")
    try await recordTurn(store, "other", "x")
    await #expect(throws: StoreError.self) { try await store.rename("old", to: "other") }
    try await store.rename("old", to: "new")
    #expect(try await store.session("old") == nil)
    #expect(try await store.session("new")?.messages.count == 2)
    #expect(try await store.search("kept", limit: 5).map(\.sessionID) == ["new", "new"], "question and answer")
    await #expect(throws: StoreError.self) { try await store.rename("missing", to: "x") }
    #expect(try await store.check().isEmpty)
  }

  @Test(arguments: StoreBackend.allCases) func removeDeletesMessagesAndTheirIndexEntries(_ backend: StoreBackend)
    async throws
  {
    let store = try await backend.makeStore().store
    try await recordTurn(store, "s", "unique zebra words")
    try await store.remove("s")
    #expect(try await store.session("s") == nil)
    #expect(try await store.search("zebra", limit: 5).isEmpty)
    await #expect(throws: StoreError.self) { try await store.remove("s") }
    #expect(try await store.check().isEmpty)
  }

  @Test(arguments: StoreBackend.allCases) func searchTakesQueryWordsLiterally(_ backend: StoreBackend) async throws {
    let store = try await backend.makeStore().store
    try await recordTurn(store, "s", "the quick brown fox", answer: "jumps AND \"runs\" over *stars*")
    let hits = try await store.search("quick fox", limit: 5)
    #expect(hits.count == 1)
    #expect(hits.first?.snippet.contains("[quick]") == true)
    #expect(try await store.search("AND", limit: 5).count == 1, "FTS operators are plain words")
    #expect(try await store.search("\"runs\"", limit: 5).count == 1)
    #expect(try await store.search("*stars*", limit: 5).count == 1)
    #expect(try await store.search("absent", limit: 5).isEmpty)
  }

  @Test(arguments: StoreBackend.allCases) func searchFindsSubstringsInAnyScriptAndShortWords(_ backend: StoreBackend)
    async throws
  {
    let store = try await backend.makeStore().store
    try await recordTurn(store, "jp", "日本語のテキストを書きました", answer: "はい")
    try await recordTurn(store, "en", "Log Rotation keeps 7 days, 100% of them", answer: "ok")
    #expect(try await store.search("日本", limit: 5).map(\.snippet) == ["[日本]語のテキストを書きました"], "two CJK characters")
    #expect(try await store.search("テキスト", limit: 5).first?.snippet.contains("[テキスト]") == true)
    #expect(try await store.search("rotat", limit: 5).first?.sessionID == "en", "a prefix, in any case")
    #expect(try await store.search("7 rotation", limit: 5).count == 1, "a short word with a long one")
    #expect(try await store.search("100%", limit: 5).count == 1, "LIKE wildcards are literal")
    #expect(try await store.search("0%x", limit: 5).isEmpty)
    #expect(try await store.search("はい", limit: 5).map(\.role) == ["assistant"])
  }

  @Test(arguments: StoreBackend.allCases) func exportImportExportGivesTheSameBytes(_ backend: StoreBackend) async throws
  {
    let store = try await backend.makeStore().store
    try await recordTurn(store, "s", "line one\nline \"two\" 日本", settings: SessionSettings(model: "m", system: "sys"))
    try await recordTurn(store, "s", "failed one", answer: "part", status: .partial)
    let first = try #require(try await store.session("s"))
    let other = try await backend.makeStore().store
    let parsed = try first.lines.map { try JSON.parse($0) }
    try await other.importSession(SessionExport(lines: parsed))
    let second = try #require(try await other.session("s"))
    #expect(second.lines == first.lines)
    await #expect(throws: StoreError.self) { try await other.importSession(SessionExport(lines: parsed)) }
    try await other.importSession(SessionExport(lines: parsed, id: "copy"))
    #expect(try await other.session("copy")?.messages.count == 4)
    #expect(throws: StoreError.self) { try SessionExport(lines: parsed, id: "bad id") }
    #expect(throws: StoreError.self) { try SessionExport(lines: Array(parsed.dropFirst())) }
  }

  @Test(arguments: StoreBackend.allCases) func importRefusesExportsAStoreCannotHold(_ backend: StoreBackend)
    async throws
  {
    let store = try await backend.makeStore().store
    try await recordTurn(store, "s", "one")
    try await recordTurn(store, "s", "two")
    let good = try #require(try await store.session("s")).lines.map { try JSON.parse($0) }
    func edited(_ line: Int, _ key: String, _ value: JSON) -> [JSON] {
      var lines = good
      guard case .object(var object) = lines[line] else { return lines }
      object[key] = value
      lines[line] = .object(object)
      return lines
    }
    for (lines, why) in [
      (edited(2, "seq", .int(1)), "a repeated seq"), (edited(1, "role", "system"), "an unknown role"),
      (edited(3, "turn", .int(1)), "a second user message in one turn"),
      (edited(2, "turn", .int(2)), "an answer in another turn"), (edited(1, "seq", .int(0)), "seq from 0"),
    ] {
      #expect(throws: StoreError.self, "\(why)") { try SessionExport(lines: lines, id: "copy") }
    }
    #expect(try SessionExport(lines: good, id: "copy").messages.count == 4)
  }

  @Test(arguments: StoreBackend.allCases) func twoConnectionsWritingAtOnceLoseNothing(_ backend: StoreBackend)
    async throws
  {
    let (first, reopen) = try await backend.makeStore()
    let second = try await reopen()
    try await withThrowingTaskGroup(of: Void.self) { group in
      for index in 0..<40 {
        let store = index % 2 == 0 ? first : second
        group.addTask { try await recordTurn(store, "s\(index % 4)", "m\(index)") }
      }
      try await group.waitForAll()
    }
    let all = try await first.list(limit: nil)
    #expect(all.map(\.turns).reduce(0, +) == 40)
    for summary in all {
      let seqs = try #require(try await first.session(summary.id)).messages.map(\.seq)
      #expect(seqs == Array(1...seqs.count))
    }
  }

  @Test(.timeLimit(.minutes(5)), arguments: StoreBackend.allCases)
  func turnLocksExcludeEachOtherUntilReleased(_ backend: StoreBackend) async throws {
    let store = try await backend.makeStore().store
    var held: (any TurnLease)? = try await store.lockTurns(of: "s")
    let waiting = Flag()
    let acquired = Flag()
    let waiter = Task {
      let lock = try await store.lockTurns(of: "s") { waiting.set() }
      acquired.set()
      return lock
    }
    // Its first try either succeeds (a broken lock) or finds the lock taken.
    while !waiting.isSet && !acquired.isSet { try await Task.sleep(for: .milliseconds(5)) }
    #expect(!acquired.isSet, "the second turn waits")
    let other = try await store.lockTurns(of: "t")
    withExtendedLifetime(other) {}
    withExtendedLifetime(held) {}
    held = nil
    // It goes on once the first is released (a lock never released would hit the time limit).
    _ = try await waiter.value
  }
}

/// Session ids: the rule every store's ids follow.
@Suite struct SessionIDTests {
  @Test func sessionIDRule() {
    for valid in ["a", "work", "2026-11-29T10:00", "a.b_c:d-e", String(repeating: "x", count: 128)] {
      #expect(SessionID.isValid(valid), "\(valid)")
    }
    for invalid in ["", "a b", "a/b", "é", "x\n", String(repeating: "x", count: 129), "../etc"] {
      #expect(!SessionID.isValid(invalid), "\(invalid)")
    }
    let made = SessionID.make(now: 1_795_944_659_128)
    #expect(SessionID.isValid(made))
    #expect(made.hasPrefix("20261129-"))
    #expect(made.count == "20261129-063059-xxxxxxxx".count)
    #expect(made.hasPrefix("20261129-093059-"))
    let many = Set((0..<100).map { _ in SessionID.make(now: 1_795_944_659_128) })
    #expect(many.count == 100, "ids made in the same second differ")
  }
}
