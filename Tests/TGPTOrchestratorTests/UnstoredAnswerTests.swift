import Foundation
import GRDB
import TGPTProviders
import TGPTSession
import Testing

@testable import TGPTEvents
@testable import TGPTOrchestrator

/// A `complete` means the session has the answer: when the store fails as the answer ends (a
/// database gone away), the turn ends with `unavailable` and says the answer was not stored.
@Suite(.timeLimit(.minutes(5))) struct UnstoredAnswerTests {
  @Test func anAnswerThatCannotBeStoredEndsUnavailableSayingSo() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tgpt-unstored-\(UUID().uuidString)")
    let path = directory.path + "/sessions.db"
    let store = try SQLiteSessionStore(path: path)
    // Another connection makes every final record of an answer fail, as a lost database would.
    let saboteur = try DatabaseQueue(path: path)
    try await saboteur.write { db in
      try db.execute(
        sql: """
          CREATE TRIGGER fail_final_record BEFORE UPDATE ON message WHEN new.status = 'complete'
          BEGIN SELECT RAISE(ABORT, 'the disk is on fire'); END;
          """)
    }
    let events = Collected()
    let outcome = await echoRunner(store).run(TurnRequest(sessionID: "s", requestID: "r", message: "hello there")) {
      events.append($0)
    }
    guard case .failed(let failure) = outcome else {
      Issue.record("the turn did not fail: \(outcome)")
      return
    }
    #expect(failure.code == .unavailable && failure.partial, "\(failure)")
    #expect(
      failure.message.contains("not stored") && failure.message.contains("the disk is on fire"), "\(failure.message)")
    #expect(events.all.filter(\.isTerminal).count == 1 && events.all.last?.isTerminal == true)
    #expect(!events.all.contains { $0.type == "complete" }, "no complete for an answer the session does not have")
    #expect(
      events.all.compactMap { if case .chunk(let chunk) = $0.payload { chunk.content } else { nil } }.joined()
        == "hello there")

    try await saboteur.write { db in try db.execute(sql: "DROP TRIGGER fail_final_record") }
    let next = await echoRunner(store).run(TurnRequest(sessionID: "s", requestID: "r2", message: "again")) { _ in }
    guard case .completed = next else {
      Issue.record("the store works again, so the next turn completes: \(next)")
      return
    }
    let stored = try #require(try await store.session("s")).messages
    #expect(stored.map(\.status) == [.complete, .interrupted, .complete, .complete])
  }
}
