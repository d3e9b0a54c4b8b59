import TGPTEvents
import Testing

@testable import TGPTProviders

/// Tool calls streamed as providers stream them: arguments in 3-byte pieces cut anywhere (inside
/// a multi-byte character, between `\` and `"`), parallel calls interleaved by index, the id
/// and name only in the first fragment. Every stream is also fed in reads of 1 and 7 bytes.
@Suite struct ToolCallStreamingTests {
  /// Arguments with escapes, a backslash, accents, CJK, an emoji and a modifier sequence.
  static let weatherArguments = #"{"city":"Zürich","note":"say \"hi\" \\ ok"}"#
  static let searchArguments = #"{"q":"日本語 😀👍🏽","n":[1,2]}"#

  /// A JSON string literal holding `bytes` as they are: quotes, backslashes and controls
  /// escaped, every other byte raw (so a cut character stays cut).
  static func literal(_ bytes: some Sequence<UInt8>) -> [UInt8] {
    var out: [UInt8] = [0x22]
    for byte in bytes {
      switch byte {
      case 0x22, 0x5C: out += [0x5C, byte]
      case 0..<0x20: out += Array("\\u00".utf8) + Array(String(byte, radix: 16).utf8).padded(to: 2)
      default: out.append(byte)
      }
    }
    return out + [0x22]
  }

  /// `text`'s bytes in pieces of three.
  static func pieces(_ text: String) -> [ArraySlice<UInt8>] {
    let bytes = Array(text.utf8)
    return stride(from: 0, to: bytes.count, by: 3).map { bytes[$0..<min($0 + 3, bytes.count)] }
  }

  /// An OpenAI stream: each call's first fragment with index, id, type, name and empty
  /// arguments, then the arguments' pieces round-robin across the calls, then the finish.
  static func openAIStream(_ calls: [(id: String, name: String, arguments: String)]) -> [UInt8] {
    func line(_ toolCall: [UInt8]) -> [UInt8] {
      Array(#"data: {"choices":[{"index":0,"delta":{"tool_calls":["#.utf8) + toolCall
        + Array("]},\"finish_reason\":null}]}\n\n".utf8)
    }
    var body: [UInt8] = []
    for (index, call) in calls.enumerated() {
      body += line(
        Array(
          #"{"index":\#(index),"id":"\#(call.id)","type":"function","function":{"name":"\#(call.name)","arguments":""}}"#
            .utf8))
    }
    let split = calls.map { pieces($0.arguments) }
    for round in 0..<(split.map(\.count).max() ?? 0) {
      for (index, callPieces) in split.enumerated() where round < callPieces.count {
        body += line(
          Array(#"{"index":\#(index),"function":{"arguments":"#.utf8) + literal(callPieces[round]) + [0x7D, 0x7D])
      }
    }
    body += Array(#"data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#.utf8) + [0x0A, 0x0A]
    return body + Array("data: [DONE]\n\n".utf8)
  }

  /// An Anthropic stream: a text block, then one `tool_use` block per call whose input comes
  /// in `input_json_delta` pieces.
  static func anthropicStream(_ calls: [(id: String, name: String, arguments: String)]) -> [UInt8] {
    func event(_ type: String, _ data: [UInt8]) -> [UInt8] {
      Array("event: \(type)\ndata: ".utf8) + data + [0x0A, 0x0A]
    }
    var body = event("message_start", Array(#"{"type":"message_start","message":{"model":"claude-x"}}"#.utf8))
    body += event(
      "content_block_start", Array(#"{"type":"content_block_start","index":0,"content_block":{"type":"text"}}"#.utf8))
    body += event(
      "content_block_delta",
      Array(#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Two calls."}}"#.utf8))
    body += event("content_block_stop", Array(#"{"type":"content_block_stop","index":0}"#.utf8))
    for (offset, call) in calls.enumerated() {
      let index = offset + 1
      body += event(
        "content_block_start",
        Array(
          #"{"type":"content_block_start","index":\#(index),"content_block":{"type":"tool_use","id":"\#(call.id)","name":"\#(call.name)","input":{}}}"#
            .utf8))
      for piece in pieces(call.arguments) {
        body += event(
          "content_block_delta",
          Array(
            #"{"type":"content_block_delta","index":\#(index),"delta":{"type":"input_json_delta","partial_json":"#.utf8)
            + literal(piece) + [0x7D, 0x7D])
      }
      body += event("content_block_stop", Array(#"{"type":"content_block_stop","index":\#(index)}"#.utf8))
    }
    body += event(
      "message_delta", Array(#"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{}}"#.utf8))
    return body + event("message_stop", Array(#"{"type":"message_stop"}"#.utf8))
  }

  /// The tool calls decoded from `body`, the same for reads of every size.
  static func calls(_ body: [UInt8], kind: ProviderKind) throws -> [Event.ToolCall] {
    var results: [[Event.ToolCall]] = []
    for size in [body.count, 1, 7] {
      var decoder = ProviderStreamDecoder(kind: kind)
      var calls: [Event.ToolCall] = []
      var start = 0
      while start < body.count {
        let end = min(start + size, body.count)
        try body[start..<end].withUnsafeBytes {
          try decoder.feed($0) { if case .toolCall(let c) = $0 { calls.append(c) } }
        }
        start = end
      }
      try decoder.finish { if case .toolCall(let c) = $0 { calls.append(c) } }
      #expect(decoder.isComplete)
      results.append(calls)
    }
    #expect(results.dropFirst().allSatisfy { $0 == results[0] })
    return results[0]
  }

  static let expected = [
    Event.ToolCall(
      callID: "call_1", name: "get_weather", arguments: ["city": "Zürich", "note": #"say "hi" \ ok"#]),
    Event.ToolCall(callID: "call_2", name: "search", arguments: ["q": "日本語 😀👍🏽", "n": [1, 2]]),
  ]

  @Test func openAIInterleavedThreeBytePiecesMakeExactCalls() throws {
    let body = Self.openAIStream([
      ("call_1", "get_weather", Self.weatherArguments), ("call_2", "search", Self.searchArguments),
    ])
    #expect(try Self.calls(body, kind: .openai) == Self.expected)
  }

  @Test func anthropicInputJSONDeltasForTwoBlocksMakeExactCalls() throws {
    let body = Self.anthropicStream([
      ("call_1", "get_weather", Self.weatherArguments), ("call_2", "search", Self.searchArguments),
    ])
    #expect(try Self.calls(body, kind: .anthropic) == Self.expected)
  }

  @Test func invalidArgumentsStayAsTheirRawText() throws {
    let body = Self.openAIStream([("call_1", "f", #"{"city":"Zür"#), ("call_2", "g", "")])
    #expect(
      try Self.calls(body, kind: .openai) == [
        Event.ToolCall(callID: "call_1", name: "f", arguments: .string(#"{"city":"Zür"#)),
        Event.ToolCall(callID: "call_2", name: "g", arguments: [:]),
      ])
    let anthropic = Self.anthropicStream([("toolu_1", "f", "not json")])
    #expect(
      try Self.calls(anthropic, kind: .anthropic) == [
        Event.ToolCall(callID: "toolu_1", name: "f", arguments: .string("not json"))
      ])
  }

  @Test func escapesInsideTheArgumentsTextAreNotSurrogatesOfThePiece() throws {
    // The model wrote its emoji as `\ud83d\ude00` in the arguments JSON; a piece ends after
    // the first escape's text, which must stay text, not wait for a low half.
    let outputs = try FixtureDecodingTests.decodeLines([
      #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":"{\"e\":\"\\ud83d"}}]}}]}"#,
      #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\\ude00\"}"}}]}}]}"#,
      #"{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
    ])
    let calls = outputs.compactMap { if case .toolCall(let c) = $0 { c } else { nil } }
    #expect(calls == [Event.ToolCall(callID: "c", name: "f", arguments: ["e": "😀"])])
  }

  @Test func aSurrogatePairSplitBetweenPiecesIsJoined() throws {
    let outputs = try FixtureDecodingTests.decodeLines([
      #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":"{\"e\":\"\ud83d"}}]}}]}"#,
      #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\ude00\",\"l\":\"\ud83d"}}]}}]}"#,
      #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"x\"}"}}]}}]}"#,
      #"{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
    ])
    let calls = outputs.compactMap { if case .toolCall(let c) = $0 { c } else { nil } }
    #expect(calls == [Event.ToolCall(callID: "c", name: "f", arguments: ["e": "😀", "l": "\u{FFFD}x"])])
  }

  @Test func onlyAnUnescapedBackslashStartsATrailingSurrogate() {
    #expect(StreamedJSONText.trailingHighSurrogate(Array(#"a\ud83d"#.utf8)) == 0xD83D)
    #expect(StreamedJSONText.trailingHighSurrogate(Array(#"a\\ud83d"#.utf8)) == nil)
    #expect(StreamedJSONText.trailingHighSurrogate(Array(#"\\\ud83d"#.utf8)) == 0xD83D)
    #expect(StreamedJSONText.trailingHighSurrogate(Array(#"a\ude00"#.utf8)) == nil, "a low half does not wait")
  }
}

extension Array where Element == UInt8 {
  /// Left-padded with ASCII zeros to `width`.
  fileprivate func padded(to width: Int) -> [UInt8] {
    Swift.Array(repeating: UInt8(ascii: "0"), count: Swift.max(0, width - count)) + self
  }
}
