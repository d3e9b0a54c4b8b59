import Testing

@testable import TGPTEvents

@Suite struct EventCodingTests {
  @Test func chunkKeepsTheSeedShapeExactly() {
    let event = Event(.chunk(.init(content: "Generated text chunk", model: "openai/gpt-3.5-turbo")))
    #expect(
      event.jsonText
        == #"{"type":"chunk","content":"Generated text chunk","finish_reason":null,"model":"openai/gpt-3.5-turbo","usage":null,"tools_used":[]}"#
    )
  }

  @Test func completeAndErrorKeepTheSeedFieldsFirst() {
    let complete = Event(.complete(.init(processingTimeMs: 2500)))
    #expect(complete.jsonText == #"{"type":"complete","processing_time_ms":2500}"#)
    let error = Event(
      .error(.init(message: "Error message", details: "Additional error information", code: .unavailable)))
    #expect(
      error.jsonText
        == #"{"type":"error","error":"Error message","error_details":"Additional error information","code":"unavailable","retryable":true,"partial":false}"#
    )
  }

  @Test func tagsComeLast() {
    let event = Event(.reasoning(.init(content: "hm")), id: "r1", sessionID: "work")
    #expect(event.jsonText == #"{"type":"reasoning","content":"hm","id":"r1","session_id":"work"}"#)
  }

  static let samples: [Event] = [
    Event(.start(.init(model: "m", provider: "openrouter", turnsSent: 2, turnsDropped: 1)), id: "r", sessionID: "s"),
    Event(
      .chunk(
        .init(
          content: "a\nb \"c\" 😀", finishReason: "stop", model: nil, usage: Usage(promptTokens: 1), toolsUsed: ["t"]))),
    Event(.reasoning(.init(content: "think"))),
    Event(.toolCall(.init(callID: "c1", name: "get", arguments: ["city": "Paris"]))),
    Event(.toolOutput(.init(callID: "c1", content: "18"))),
    Event(.toolResult(.init(callID: "c1", name: "get", content: "18C", exitCode: 0, durationMs: 12))),
    Event(.toolResult(.init(callID: "c2", name: "get", content: "denied", isError: true))),
    Event(.retry(.init(attempt: 2, delayMs: 500, reason: "HTTP 429", status: 429))),
    Event(
      .complete(
        .init(
          processingTimeMs: 12, finishReason: "stop",
          usage: Usage(
            promptTokens: 1, completionTokens: 2, totalTokens: 3, cost: JSONNumber(uncheckedText: "0.00042")),
          model: "m"))),
    Event(
      .error(.init(message: "boom", details: nil, code: .rateLimited, retryable: false, partial: true, status: 429))),
    Event(.other(type: "future_thing", fields: JSONObject([("x", [1, 2]), ("y", "z")])), id: "r9"),
  ]

  @Test(arguments: samples)
  func encodeThenDecodeIsIdentity(_ event: Event) throws {
    let decoded = try Event.decode(event.jsonText)
    #expect(decoded == event)
    #expect(decoded.jsonText == event.jsonText)
  }

  @Test func unknownTypesKeepEveryField() throws {
    let line = #"{"x":1,"type":"custom","nested":{"a":[true]},"session_id":"s"}"#
    let event = try Event.decode(line)
    guard case .other(let type, let fields) = event.payload else {
      Issue.record("expected .other")
      return
    }
    #expect(type == "custom")
    #expect(fields.keys == ["x", "nested"])
    #expect(event.sessionID == "s")
  }

  @Test func unknownTypesMayUseKnownFieldNamesWithOtherShapes() throws {
    let image = try Event.decode(#"{"type":"image","content":{"url":"x"},"reason":["a"],"name":7}"#)
    guard case .other(let type, let fields) = image.payload else {
      Issue.record("expected .other")
      return
    }
    #expect(type == "image")
    #expect(fields["content"]?["url"] == "x")
    #expect(fields["reason"] == ["a"])
    #expect(throws: ProtocolError.self) { try Event.decode(#"{"type":"chunk","content":{"url":"x"}}"#) }
  }

  @Test func seedErrorWithoutCodeIsInternal() throws {
    let event = try Event.decode(#"{"type":"error","error":"Error message","error_details":"more"}"#)
    guard case .error(let failure) = event.payload else {
      Issue.record("expected .error")
      return
    }
    #expect(failure.code == .internal)
    #expect(failure.details == "more")
    #expect(failure.partial == false)
  }

  @Test(arguments: [#"[1]"#, #"{"content":"x"}"#, #"{"type":"chunk"}"#, "{\"type\":\"chunk\",\"content\":1"])
  func rejectsEventsWithoutTheRequiredShape(_ line: String) {
    #expect(throws: ProtocolError.self) { try Event.decode(line) }
  }

  @Test func inputMessageNeedsANonEmptyMessage() throws {
    let message = try InputMessage(json: JSON.parse(#"{"message":"hi","session_id":"work","id":"r17"}"#))
    #expect(message == InputMessage(message: "hi", sessionID: "work", id: "r17"))
    #expect(throws: ProtocolError.self) { try InputMessage(json: JSON.parse(#"{"message":""}"#)) }
    #expect(throws: ProtocolError.self) { try InputMessage(json: JSON.parse(#"{"msg":"hi"}"#)) }
    #expect(throws: ProtocolError.self) { try InputMessage(json: JSON.parse(#"{"message":3}"#)) }
  }

  @Test func clientInputTellsMessagesCancelsAndHistoryRequestsApart() throws {
    func read(_ text: String) throws -> ClientInput { try ClientInput(json: JSON.parse(text)) }
    #expect(
      try read(#"{"cancel":"r1","session_id":"s","reason":"Ctrl-C"}"#)
        == .cancel(CancelRequest(id: "r1", sessionID: "s", reason: "Ctrl-C")))
    #expect(try read(#"{"history":true,"id":"h"}"#) == .history(HistoryRequest(id: "h")))
    // A message is a message whatever else it carries.
    #expect(try read(#"{"message":"hi","cancel":"r1"}"#) == .message(InputMessage(message: "hi")))
    for bad in [#"{"cancel":""}"#, #"{"cancel":3}"#, #"{"history":"yes"}"#, #"{"neither":1}"#] {
      #expect(throws: ProtocolError.self, "\(bad)") { try read(bad) }
    }
    // The wire forms read back as themselves.
    let cancel = CancelRequest(id: "r1", sessionID: "s", reason: "why")
    #expect(try ClientInput(json: cancel.json) == .cancel(cancel))
    let history = HistoryRequest(id: "h", sessionID: "s")
    #expect(try ClientInput(json: history.json) == .history(history))
  }

  @Test func aDeleteRequestReadsAndWritesItsWireForm() throws {
    func read(_ text: String) throws -> ClientInput { try ClientInput(json: JSON.parse(text)) }
    #expect(try read(#"{"delete":true,"id":"d","session_id":"s"}"#) == .delete(DeleteRequest(id: "d", sessionID: "s")))
    #expect(try read(#"{"delete":true}"#) == .delete(DeleteRequest()))
    for bad in [#"{"delete":"yes"}"#, #"{"delete":false}"#, #"{"delete":true,"id":7}"#] {
      #expect(throws: ProtocolError.self, "\(bad)") { try read(bad) }
    }
    #expect(try read(#"{"message":"hi","delete":true}"#) == .message(InputMessage(message: "hi")))
    let delete = DeleteRequest(id: "d", sessionID: "s")
    #expect(try ClientInput(json: delete.json) == .delete(delete))
  }
}

extension Event: CustomTestStringConvertible {
  public var testDescription: String { type }
}
