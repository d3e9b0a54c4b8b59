import Foundation
import TGPTEvents
import Testing

/// Every example in docs/PROTOCOL.md is real: events decode and re-encode to the exact text
/// shown, messages decode, and the request example runs through tgpt-stream.
@Suite(.timeLimit(.minutes(10))) struct ProtocolDocumentTests {
  static func examples() throws -> [String] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("docs/PROTOCOL.md")
    let text = try String(contentsOf: url, encoding: .utf8)
    var lines: [String] = []
    var inBlock = false
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("```") {
        inBlock = !inBlock && line == "```ndjson"
        continue
      }
      if inBlock, !line.isEmpty { lines.append(String(line)) }
    }
    return lines
  }

  @Test func theDocumentHasExamplesOfEveryEventType() async throws {
    let types = Set(try Self.examples().compactMap { try JSON.parse($0)["type"]?.stringValue })
    #expect(
      types == [
        "start", "chunk", "reasoning", "tool_call", "tool_output", "tool_result", "retry", "complete", "error",
        "history", "deleted", "sessions",
      ])
  }

  @Test func everyEventExampleRoundTripsExactly() async throws {
    for line in try Self.examples() where try JSON.parse(line)["type"] != nil {
      let event = try Event.decode(line)
      #expect(event.jsonText == line)
    }
  }

  @Test func everyInputExampleDecodesAsWhatItShows() async throws {
    let inputs = try Self.examples().filter {
      let object = try JSON.parse($0)
      return object["type"] == nil && object["messages"] == nil
    }
    let kinds = try inputs.map { line -> String in
      switch try ClientInput(json: JSON.parse(line)) {
      case .message(let message) where message.principal != nil: "message of \(message.principal ?? "")"
      case .message(let message) where !message.attachments.isEmpty:
        "message with \(message.attachments.map(\.mediaType).joined(separator: " and "))"
      case .message: "message"
      case .cancel: "cancel"
      case .history: "history"
      case .delete: "delete"
      case .sessions: "sessions"
      }
    }
    #expect(
      kinds == [
        "message", "message", "message", "cancel", "history", "delete", "sessions", "message of alice",
        "message with image/png and image/jpeg",
      ])
  }

  @Test func theRequestExampleRunsThroughTgptStream() async throws {
    let requests = try Self.examples().filter {
      let object = try JSON.parse($0)
      return object["messages"] != nil && object["type"] == nil
    }
    #expect(requests.count == 1)
    for line in requests {
      let result = try await Harness.run("tgpt-stream", ["--provider", "echo", "--request"], stdin: line)
      #expect(result.status == 0)
      #expect(result.answer == "Name a colour.")
    }
  }
}
