import Foundation
import TGPTSession
import Testing

@testable import TGPTEvents
@testable import TGPTOrchestrator

/// `tgpt-session serve` with lines of several principals: each line runs against its
/// principal's sessions, and nothing of one principal reaches another.
@Suite(.timeLimit(.minutes(5))) struct PrincipalLoopTests {
  @Test func twoPrincipalsSessionsOfOneNameStaySeparate() async throws {
    let store = try makeStore()
    let lines = [
      #"{"message":"alice's PIN is 4921","session_id":"work","principal":"alice","id":"a1"}"#,
      #"{"message":"bob here","session_id":"work","principal":"bob","id":"b1"}"#,
      #"{"message":"local","session_id":"work","id":"d1"}"#,
      #"{"history":true,"session_id":"work","principal":"bob","id":"b2"}"#,
      #"{"delete":true,"session_id":"work","principal":"bob","id":"b3"}"#,
      #"{"message":"x","session_id":"work","principal":"not:valid","id":"bad"}"#,
    ]
    let events = Collected()
    _ = await loop(echoRunner(store), .perSession).run(feed(lines).0, interruption: { "stop" }) { events.append($0) }

    let history = try #require(events.all.first { $0.id == "b2" && $0.type == "history" })
    let text = history.jsonText
    #expect(text.contains("bob here") && !text.contains("4921") && !text.contains("local"), "\(text)")
    #expect(try await store.scoped(to: "bob").session("work") == nil, "bob's work was deleted")
    #expect(try await store.scoped(to: "alice").session("work")?.messages.first?.content == "alice's PIN is 4921")
    #expect(try await store.session("work")?.messages.first?.content == "local", "the default principal's own")
    let refused = events.all.first { $0.id == "bad" }
    #expect(
      refused.map { if case .error(let failure) = $0.payload { failure.code == .badInput } else { false } } == true)
  }

  @Test func aCancelStopsOnlyItsOwnPrincipalsTurn() async throws {
    let store = try makeStore()
    // An answer of a minute and a half: still streaming when the cancels come.
    let long = "a " + (1...900).map { "w\($0)" }.joined(separator: " ")
    let (lines, writeEnd) = feed(
      [
        #"{"message":"\#(long)","session_id":"s","principal":"alice","id":"r1"}"#,
        #"{"cancel":"r1","principal":"bob"}"#,
      ], keepOpen: true)
    let events = Collected()
    let running = Task {
      await loop(echoRunner(store, delayMs: 100), .perSession).run(lines, interruption: { "stop" }) {
        events.append($0)
      }
    }
    // Bob's cancel named alice's request id: it must not stop her turn, whose chunks go on.
    while events.all.filter({ $0.id == "r1" && $0.type == "chunk" }).count < 3,
      !events.all.contains(where: { $0.id == "r1" && $0.isTerminal })
    {
      try await Task.sleep(for: .milliseconds(10))
    }
    #expect(!events.all.contains { $0.id == "r1" && $0.isTerminal })
    _ = Array(#"{"cancel":"r1","principal":"alice"}"#.utf8 + [10]).withUnsafeBytes {
      write(writeEnd, $0.baseAddress, $0.count)
    }
    close(writeEnd)
    _ = await running.value
    let end = try #require(events.all.first { $0.id == "r1" && $0.isTerminal })
    #expect(end.type == "error", "alice's own cancel stopped it: \(end.jsonText)")
  }
}
