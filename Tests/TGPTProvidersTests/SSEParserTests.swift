import Testing

@testable import TGPTProviders

/// The vectors of notes/protocols.md §9, each fed whole, byte by byte, and split at every offset.
@Suite struct SSEParserTests {
  struct Dispatched: Equatable, CustomStringConvertible {
    var type: String?
    var data: String
    var description: String { "\(type ?? "message"):\(data.debugDescription)" }
  }

  static func parse(_ input: [UInt8], cuts: [Int]) throws -> [Dispatched] {
    var parser = SSEParser()
    var out: [Dispatched] = []
    let collect = { (m: SSEParser.Message) in
      out.append(Dispatched(type: m.type, data: String(decoding: m.data, as: UTF8.self)))
    }
    var start = 0
    for cut in cuts + [input.count] where cut >= start {
      try input[start..<cut].withUnsafeBytes { try parser.feed($0, collect) }
      start = cut
    }
    try parser.finish(collect)
    return out
  }

  /// Parses whole, byte by byte, and at every single split point; all must agree with `expected`.
  static func check(_ text: String, _ expected: [Dispatched], sourceLocation: SourceLocation = #_sourceLocation) throws
  {
    let input = Array(text.utf8)
    #expect(try parse(input, cuts: []) == expected, "whole", sourceLocation: sourceLocation)
    #expect(try parse(input, cuts: Array(0..<input.count)) == expected, "byte by byte", sourceLocation: sourceLocation)
    for cut in 0...input.count {
      #expect(try parse(input, cuts: [cut]) == expected, "split at \(cut)", sourceLocation: sourceLocation)
    }
  }

  static func d(_ data: String, _ type: String? = nil) -> Dispatched { Dispatched(type: type, data: data) }

  @Test func lineEndingsAreEquivalent() throws {
    try Self.check("data: a\n\n", [Self.d("a")])
    try Self.check("data: a\r\n\r\n", [Self.d("a")])
    try Self.check("data: a\r\r", [Self.d("a")])
  }

  @Test func aCROnOneReadAndLFOnTheNextAreOneBreak() throws {
    var parser = SSEParser()
    var out: [String] = []
    try Array("data: a\r".utf8).withUnsafeBytes {
      try parser.feed($0) { out.append(String(decoding: $0.data, as: UTF8.self)) }
    }
    try Array("\ndata: b\n\n".utf8).withUnsafeBytes {
      try parser.feed($0) { out.append(String(decoding: $0.data, as: UTF8.self)) }
    }
    #expect(out == ["a\nb"])
  }

  @Test func multiLineDataIsJoinedWithNewlines() throws {
    try Self.check("data: a\ndata: b\n\n", [Self.d("a\nb")])
  }

  @Test func exactlyOneLeadingSpaceIsStripped() throws {
    try Self.check("data:x\n\n", [Self.d("x")])
    try Self.check("data:  y\n\n", [Self.d(" y")])
  }

  @Test func emptyDataFiresAnEmptyEvent() throws {
    try Self.check("data:\n\n", [Self.d("")])
    try Self.check("data\n\n", [Self.d("")])
  }

  @Test func eventWithoutDataFiresNothing() throws {
    try Self.check("event: ping\n\n", [])
  }

  @Test func commentsAreIgnoredButCounted() throws {
    try Self.check(": OPENROUTER PROCESSING\n\ndata: {}\n\n", [Self.d("{}")])
    var parser = SSEParser()
    try Array(": a\n: b\n\n".utf8).withUnsafeBytes { try parser.feed($0) { _ in } }
    #expect(parser.commentCount == 2)
  }

  @Test func theFieldEndsAtTheFirstColon() throws {
    try Self.check("data: {\"a\": \": b\"}\n\n", [Self.d("{\"a\": \": b\"}")])
  }

  @Test func aLeadingBOMIsDropped() throws {
    try Self.check("\u{FEFF}data: a\n\n", [Self.d("a")])
  }

  @Test func llamaCppErrorFieldIsAnErrorEvent() throws {
    try Self.check("error: {\"code\":400}\n\ndata: [DONE]\n\n", [Self.d("{\"code\":400}", "error"), Self.d("[DONE]")])
  }

  @Test func anUnterminatedEventIsDiscardedButDONEIsRescued() throws {
    try Self.check("data: partial", [])
    try Self.check("data: [DONE]", [Self.d("[DONE]")])
    try Self.check("data: a\n\ndata: [DONE]\n", [Self.d("a"), Self.d("[DONE]")])
  }

  @Test func multiByteCharactersSplitAcrossReadsArriveWhole() throws {
    try Self.check("data: 😀é日本\n\n", [Self.d("😀é日本")])
  }

  @Test func eventTypesAreKeptAndReset() throws {
    try Self.check(
      "event: message_start\ndata: {}\n\ndata: x\n\n", [Self.d("{}", "message_start"), Self.d("x")])
  }

  @Test func oversizedEventsAreRejected() {
    var parser = SSEParser(maxEventBytes: 16)
    #expect(throws: ProviderError.self) {
      try Array("data: 0123456789abcdefghij\n\n".utf8).withUnsafeBytes { try parser.feed($0) { _ in } }
    }
  }
}
