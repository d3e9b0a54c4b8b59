import Foundation
import TGPTEvents
import Testing

@testable import TGPTProviders

/// Provider streams (hand-written from the providers' documented wire shapes, see
/// notes/protocols.md) decoded end to end: SSE parser plus decoder, for several splits of the
/// bytes.
@Suite struct FixtureDecodingTests {
  static func fixture(_ name: String) throws -> [UInt8] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    return Array(try Data(contentsOf: url))
  }

  /// Decodes a fixture whole and in reads of 1, 7 and 64 bytes; all must agree. Returns the
  /// outputs, the error the stream ended in (if any), and whether it was complete.
  static func decode(_ name: String, anthropic: Bool = false) throws -> (
    outputs: [ProviderOutput], error: ProviderError?, complete: Bool
  ) {
    let bytes = try fixture(name)
    var results: [(outputs: [ProviderOutput], error: ProviderError?, complete: Bool)] = []
    for chunkSize in [bytes.count, 1, 7, 64] {
      var decoder = ProviderStreamDecoder(kind: anthropic ? .anthropic : .openai)
      var outputs: [ProviderOutput] = []
      var failure: ProviderError?
      do {
        var start = 0
        while start < bytes.count {
          let end = min(start + chunkSize, bytes.count)
          try bytes[start..<end].withUnsafeBytes { try decoder.feed($0) { outputs.append($0) } }
          start = end
        }
        try decoder.finish { outputs.append($0) }
      } catch let error as ProviderError {
        failure = error
      }
      results.append((outputs, failure, decoder.isComplete))
    }
    for other in results.dropFirst() {
      #expect(other.outputs == results[0].outputs)
      #expect(other.error?.description == results[0].error?.description)
    }
    return results[0]
  }

  static func text(_ outputs: [ProviderOutput]) -> String {
    outputs.map { if case .content(let t) = $0 { t } else { "" } }.joined()
  }

  @Test func openAIBasicStream() throws {
    let (outputs, error, complete) = try Self.decode("openai-basic.sse")
    #expect(error == nil)
    #expect(complete)
    #expect(
      outputs == [
        .model("gpt-4o-mini-2024-07-18"), .content("The"), .content(" sky: \"blue\""), .finish("stop"),
        .usage(Usage(promptTokens: 19, completionTokens: 10, totalTokens: 29, reasoningTokens: 0)), .done,
      ])
  }

  @Test func parallelToolCallsAreAssembledByIndex() throws {
    let (outputs, error, _) = try Self.decode("openai-tools-parallel.sse")
    #expect(error == nil)
    let calls = outputs.compactMap { if case .toolCall(let c) = $0 { c } else { nil } }
    #expect(
      calls == [
        Event.ToolCall(callID: "call_a", name: "get_weather", arguments: ["city": "Paris"]),
        Event.ToolCall(callID: "call_b", name: "get_time", arguments: ["tz": "CET"]),
      ])
    #expect(outputs.last == .done)
    #expect(outputs.contains(.finish("tool_calls")))
  }

  @Test func openRouterCommentsReasoningCostAndNoDONE() throws {
    let (outputs, error, complete) = try Self.decode("openrouter-comments-cost.sse")
    #expect(error == nil)
    #expect(complete, "a finish reason without [DONE] is complete")
    #expect(Self.text(outputs) == "Bonjour le monde", "the single-space chunk is kept")
    #expect(outputs.first == .model("openai/o4-mini"))
    #expect(outputs.contains(.reasoning("Thinking about it.")))
    #expect(outputs.filter { if case .finish = $0 { true } else { false } }.count == 1, "repeated finish counts once")
    #expect(
      outputs.last
        == .usage(
          Usage(
            promptTokens: 194, completionTokens: 2, totalTokens: 196, cost: JSONNumber(0.95),
            cachedTokens: 7)))
  }

  @Test func openRouterMidStreamErrorIsAnError() throws {
    let (outputs, error, _) = try Self.decode("openrouter-midstream-error.sse")
    #expect(Self.text(outputs) == "Partial")
    #expect(error?.description == "Provider disconnected unexpectedly")
    #expect(error?.kind == .unavailable)
  }

  @Test func openAIErrorObjectAfter200IsAnError() throws {
    let (outputs, error, _) = try Self.decode("openai-error-after-200.sse")
    #expect(Self.text(outputs) == "Hel")
    #expect(error?.kind == .unavailable)
    #expect(error?.description.hasPrefix("The server had an error") == true)
  }

  @Test func ollamaWholeToolCallAndNullContent() throws {
    let (outputs, error, _) = try Self.decode("ollama-v1.sse")
    #expect(error == nil)
    #expect(!outputs.contains(.content("null")))
    #expect(outputs.contains(.reasoning("hmm")))
    #expect(
      outputs.contains(
        .toolCall(.init(callID: "call_x", name: "get_current_weather", arguments: ["location": "Paris, FR"]))))
  }

  @Test func llamaCppErrorFieldIsNotAnEmptySuccess() throws {
    let (outputs, error, _) = try Self.decode("llamacpp-error-field.sse")
    #expect(Self.text(outputs) == "Hi")
    #expect(error?.kind == .contextOverflow)
    #expect(error?.description.contains("exceeds the available context size") == true)
  }

  @Test func llamaCppReasoningContentAndUsageOnTheFinishChunk() throws {
    let (outputs, error, complete) = try Self.decode("llamacpp-reasoning.sse")
    #expect(error == nil)
    #expect(complete)
    #expect(
      outputs == [
        .model("qwen3"), .reasoning("Step 1."), .content("42"), .finish("stop"),
        .usage(Usage(promptTokens: 5, completionTokens: 3, totalTokens: 8)),
      ])
  }

  @Test func anthropicThinkingTextAndToolUse() throws {
    let (outputs, error, complete) = try Self.decode("anthropic-tools.sse", anthropic: true)
    #expect(error == nil)
    #expect(complete)
    #expect(
      outputs == [
        .model("claude-haiku-4-5"), .reasoning("Weather needs a tool."), .content("Let me check"),
        .content(" the weather."),
        .toolCall(.init(callID: "toolu_01K", name: "get_weather", arguments: ["location": "San Francisco, CA"])),
        .finish("tool_use"), .usage(Usage(promptTokens: 25, completionTokens: 47, totalTokens: 72)), .done,
      ])
  }

  @Test func anthropicErrorEvent() throws {
    let (outputs, error, complete) = try Self.decode("anthropic-error.sse", anthropic: true)
    #expect(Self.text(outputs) == "Hello")
    #expect(!complete)
    #expect(error?.kind == .unavailable)
    #expect(error?.description == "Overloaded")
  }

  @Test func llamaCppAbortedGenerationEndsWithDONEButIsNotComplete() throws {
    // llama.cpp after an aborted generation: text, no finish_reason, then [DONE] all the same.
    let (outputs, error, complete) = try Self.decode("llamacpp-aborted.sse")
    #expect(error == nil && Self.text(outputs) == "The sky")
    #expect(outputs.last == .done && !outputs.contains { if case .finish = $0 { true } else { false } })
    #expect(!complete, "the end marker alone does not make an answer complete")
  }

  @Test func anthropicMessageStopWithoutAStopReasonIsNotComplete() throws {
    let (outputs, error, complete) = try Self.decode("anthropic-no-stop-reason.sse", anthropic: true)
    #expect(error == nil && Self.text(outputs) == "The sky")
    #expect(outputs.last == .done && !outputs.contains { if case .finish = $0 { true } else { false } })
    #expect(!complete)
  }

  static func decodeLines(_ lines: [String]) throws -> [ProviderOutput] {
    var decoder = ProviderStreamDecoder(kind: .openai)
    var outputs: [ProviderOutput] = []
    let body = lines.map { "data: \($0)\n\n" }.joined()
    try Array(body.utf8).withUnsafeBytes { try decoder.feed($0) { outputs.append($0) } }
    try decoder.finish { outputs.append($0) }
    return outputs
  }

  @Test func aSurrogatePairSplitAcrossChunksIsJoined() throws {
    let outputs = try Self.decodeLines([
      #"{"choices":[{"index":0,"delta":{"content":"a\ud83d"}}]}"#,
      #"{"choices":[{"index":0,"delta":{"content":"\ude00b"}}]}"#,
      #"{"choices":[{"index":0,"delta":{"content":"\ud83d"}}]}"#,
      #"{"choices":[{"index":0,"delta":{"content":"c"}}]}"#,
      #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
    ])
    #expect(Self.text(outputs) == "a😀b\u{FFFD}c")
  }

  @Test func onlyTheFirstChoiceIsTheAnswer() throws {
    let outputs = try Self.decodeLines([
      #"{"choices":[{"delta":{"content":"A"},"index":0},{"index":1,"delta":{"content":"B"}}]}"#,
      #"{"choices":[{"index":1,"delta":{"content":"C"}},{"index":0,"delta":{"content":"D"},"finish_reason":"stop"}]}"#,
    ])
    #expect(Self.text(outputs) == "AD")
    #expect(outputs.contains(.finish("stop")))
  }

  @Test func invalidJSONDataIsAProviderErrorNotSkipped() {
    var decoder = OpenAIChunkDecoder()
    #expect(throws: ProviderError.self) {
      try Array("{not json".utf8).withUnsafeBytes { bytes in
        try decoder.decode(SSEParser.Message(type: nil, data: bytes, lastEventID: nil)) { _ in }
      }
    }
  }

  @Test func finishReasonErrorWithoutAnErrorObjectIsAnError() {
    var decoder = OpenAIChunkDecoder()
    #expect(throws: ProviderError.self) {
      try Array(#"{"choices":[{"index":0,"delta":{},"finish_reason":"error"}]}"#.utf8).withUnsafeBytes { bytes in
        try decoder.decode(SSEParser.Message(type: nil, data: bytes, lastEventID: nil)) { _ in }
      }
    }
  }
}
