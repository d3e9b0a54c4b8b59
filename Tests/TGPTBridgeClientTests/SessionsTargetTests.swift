import TGPTEvents
import Testing

@testable import TGPTBridgeClient

/// `check` and `bench` take the URL forms the client takes, and make their own sessions.
@Suite struct SessionsTargetTests {
  @Test(
    arguments: [
      ("http://127.0.0.1:8000", "ws://127.0.0.1:8000/ws/chat/{session_id}", nil, "ws://127.0.0.1:8000"),
      ("https://chat.example/", "wss://chat.example/ws/chat/{session_id}", nil, "wss://chat.example"),
      ("ws://h:1", "ws://h:1/ws/chat/{session_id}", nil, "ws://h:1"),
      ("ws://h:1/ws/chat", "ws://h:1/ws/chat/{session_id}", nil, "ws://h:1"),
      ("ws://h:1/ws/chat/", "ws://h:1/ws/chat/{session_id}", nil, "ws://h:1"),
      ("ws://h:1/ws/chat/abc", "ws://h:1/ws/chat/{session_id}", "abc", "ws://h:1"),
      ("http://h:1/ws/chat/abc?token=t", "ws://h:1/ws/chat/{session_id}?token=t", "abc", "ws://h:1"),
      ("ws://h:1/ws/chat?token=t", "ws://h:1/ws/chat/{session_id}?token=t", nil, "ws://h:1"),
      ("ws://h:1?token=t", "ws://h:1/ws/chat/{session_id}?token=t", nil, "ws://h:1"),
      ("wss://h/tgpt", "wss://h/tgpt/ws/chat/{session_id}", nil, "wss://h/tgpt"),
      ("ws://h/rooms/{session_id}/live", "ws://h/rooms/{session_id}/live", nil, "ws://h/rooms/{session_id}/live"),
    ] as [(String, String, String?, String)])
  func eachFormGivesTheSessionsTemplate(given: String, template: String, named: String?, displayed: String) throws {
    let target = try SessionsTarget(given)
    #expect(target.template == template)
    #expect(target.namedSession == named)
    #expect(target.displayed == displayed)
    #expect(target.url(session: "check-1") == template.replacing("{session_id}", with: "check-1"))
  }

  @Test func aWholeChatURLIsReadAsItsBaseAndTheUserIsTold() throws {
    let target = try SessionsTarget("ws://127.0.0.1:8000/ws/chat/abc")
    #expect(target.url(session: "check-1") == "ws://127.0.0.1:8000/ws/chat/check-1", "not …/ws/chat/abc/ws/chat/…")
    let note = try #require(target.namedSessionNote("check"))
    #expect(note.contains("session 'abc'") && note.contains("check") && note.contains("ws://127.0.0.1:8000"))
    #expect(try SessionsTarget("ws://127.0.0.1:8000").namedSessionNote("check") == nil)
  }

  @Test(arguments: ["ftp://h:1", "127.0.0.1:8000", "h:1/ws/chat"])
  func aURLThatIsNotAWebSocketOneIsAUsageMistake(given: String) {
    #expect(throws: ConnectTarget.Mistake.self) { try SessionsTarget(given) }
    do {
      _ = try SessionsTarget(given)
    } catch {
      #expect(error.description.contains(given) && error.description.contains("ws://, wss://, http:// or https://"))
    }
  }
}

/// How `bench` counts a conversation in.
@Suite struct LoadReportTests {
  @Test func aFailedConnectionEndsWhenItFailedNotWhenItsSessionWasDeleted() {
    let start = ContinuousClock.now
    var report = LoadGenerator.Report(sessions: 2, messages: 1)
    var answered = ChatProbe.Outcome(upgraded: true)
    answered.turns = [ChatProbe.Turn(eventCount: 3, terminalType: "complete")]
    answered.answered = start + .seconds(1)
    answered.ended = start + .seconds(2)
    report.add(answered)
    var failed = ChatProbe.Outcome(upgraded: true, failure: "timed out")
    failed.ended = start + .seconds(5)
    report.add(failed)
    #expect(report.lastEnd == start + .seconds(5), "the failure's end, not the time its deletion ended")
    #expect(report.completed == 1 && report.events == 3 && report.failedConnections == 1)
    #expect(report.failures == ["timed out"])
  }

  @Test func aRefusedTokenIsAFailedConnectionCountedApart() {
    var report = LoadGenerator.Report(sessions: 1, messages: 1)
    var refused = ChatProbe.Outcome(upgraded: true, closeCode: 1008)
    refused.authRefused = true
    refused.ended = .now
    report.add(refused)
    #expect(report.failedConnections == 1 && report.authRefused == 1 && report.failures.isEmpty)
  }
}
