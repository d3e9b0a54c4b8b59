import TGPTBridge
import TGPTEvents
import Testing
import WSCore

@testable import TGPTBridgeClient

@Suite struct InboundFrameTests {
  @Test func aJSONObjectIsPrintedAsItCame() throws {
    let text = #"{"type":"chunk","content":"a \u00e9","id":"m1"}"#
    #expect(try InboundFrame.line(.text(text)) == Array(text.utf8))
  }

  @Test func anObjectOverSeveralLinesBecomesOneLine() throws {
    let line = try InboundFrame.line(.text("{\n  \"type\": \"complete\",\n  \"id\": \"m1\"\r\n}\n"))
    #expect(String(decoding: line, as: UTF8.self) == #"{"type":"complete","id":"m1"}"#)
  }

  @Test(arguments: ["", "not json", "[1,2]", "\"text\"", #"{"type":"chunk"} trailing"#, #"{"type":"#])
  func anythingElseFailsTheConnection(_ text: String) {
    #expect {
      try InboundFrame.line(.text(text))
    } throws: { error in
      guard let failure = error as? ClientFailure else { return false }
      return failure.kind == .unavailable && !failure.canReconnect && failure.message.contains("not a JSON object")
    }
  }

  @Test func theExcerptEscapesWhatCouldSteerATerminal() {
    #expect(InboundFrame.excerpt("a\u{1B}[31mb\u{202E}c") == #"'a\u{1B}[31mb\u{202E}c'"#)
    #expect(
      InboundFrame.excerpt(String(repeating: "x", count: 100)) == "'" + String(repeating: "x", count: 60) + "...'")
  }
}

@Suite struct AnswerLedgerTests {
  static func tags(_ json: String) -> EventTags? { EventTags.read(Array(json.utf8)) }

  @Test func aTerminalEventForAnotherIDLeavesTheAnswerOwed() {
    let ledger = AnswerLedger()
    ledger.sent(OutgoingLine(text: "", id: "m1"))
    #expect(!ledger.received(Self.tags(#"{"type":"complete","id":"other"}"#)))
    #expect(ledger.owed == 1)
    #expect(ledger.received(Self.tags(#"{"type":"complete","id":"m1"}"#)))
    #expect(ledger.owed == 0)
  }

  @Test func givingUpEndsEachAnswerOwedOnceInTheOrderSent() {
    let ledger = AnswerLedger()
    for id in ["m1", "m2", "m10"] { ledger.sent(OutgoingLine(text: "", id: id)) }
    ledger.received(Self.tags(#"{"type":"chunk","content":"x","id":"m2"}"#))
    let events = ledger.abandon(.idle(.seconds(2), owed: 3))
    #expect(events.map(\.id) == ["m1", "m2", "m10"])
    let failures = events.compactMap { event -> Event.Failure? in
      if case .error(let failure) = event.payload { failure } else { nil }
    }
    #expect(failures.map(\.partial) == [false, true, false])
    #expect(failures.allSatisfy { $0.code == .timeout && $0.message.contains("for 2 s") })
    #expect(ledger.owed == 0 && ledger.abandon(.idle(.seconds(2), owed: 0)).isEmpty)
    #expect(ledger.firstError == .timeout)
  }
}
