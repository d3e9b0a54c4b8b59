import Testing

@testable import TGPTRender

@Suite struct InputSnifferTests {
  static func verdict(_ text: String, atEnd: Bool = false) -> InputSniffer.Verdict? {
    Array(text.utf8).withUnsafeBytes { InputSniffer.verdict($0, atEnd: atEnd) }
  }

  @Test func textIsKnownFromItsFirstByte() {
    #expect(Self.verdict("# Title") == .text)
    #expect(Self.verdict("\n  Hello") == .text)
    #expect(Self.verdict("[1, 2]\n") == .text)
  }

  @Test func aFirstLineThatIsAnEventMeansEvents() {
    #expect(Self.verdict(#"{"type":"chunk","content":"hi"}"# + "\n") == .events)
    #expect(Self.verdict("\r\n" + #"{"content":"x", "type" : "future"}"# + "\r\n{") == .events)
    #expect(Self.verdict(#"{"type":"complete","processing_time_ms":1}"#, atEnd: true) == .events)
  }

  @Test func jsonThatIsNotAnEventIsText() {
    #expect(Self.verdict(#"{"a":1}"# + "\n") == .text)
    #expect(Self.verdict(#"{"a":1}"#, atEnd: true) == .text)
    #expect(Self.verdict(#"{"type":1}"# + "\n") == .text)
    #expect(Self.verdict(#"{"nested":{"type":"chunk"}}"# + "\n") == .text)
    #expect(Self.verdict(#"{"type":"chunk","content":"cut"# + "\n") == .text)
    #expect(Self.verdict(#"{"type":"chunk"} and more"# + "\n") == .text)
    // Pretty-printed JSON: the first line alone is no object.
    #expect(Self.verdict("{\n  \"type\": \"module\"\n}\n") == .text)
  }

  @Test func anUnfinishedFirstLineWaits() {
    #expect(Self.verdict("") == nil)
    #expect(Self.verdict(" \n\t") == nil)
    #expect(Self.verdict(#"{"type":"chunk","content":"hi"#) == nil)
    #expect(Self.verdict(#"{"a":1}"#) == nil)
  }

  @Test func aFirstLineLongerThanTheLimitIsDecidedOnItsStart() {
    let long = String(repeating: "x", count: InputSniffer.limit)
    #expect(Self.verdict(#"{"type":"chunk","content":""# + long) == .events)
    #expect(Self.verdict(#"{"id":"r1","type":"history","session":{"x":""# + long) == .events)
    #expect(Self.verdict(#"{"type":1,"content":""# + long) == .text)
    #expect(Self.verdict(#"{"a":""# + long) == .text)
  }
}
