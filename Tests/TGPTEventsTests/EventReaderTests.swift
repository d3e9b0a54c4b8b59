import Testing

@testable import TGPTEvents

@Suite struct EventReaderTests {
  static let input = Array(
    (#"{"type":"start","model":"m"}"# + "\n" + #"{"type":"chunk","content":"a😀"}"# + "\nnot json\n\n"
      + #"{"type":"chunk"}"# + "\n" + #"{"type":"complete","processing_time_ms":5}"#).utf8)

  static func read(_ input: [UInt8], cuts: [Int], maxLine: Int = 1 << 20) -> [String] {
    var reader = EventReader(maxLineBytes: maxLine)
    var out: [String] = []
    let collect = { (result: Result<Event, ProtocolError>) in
      switch result {
      case .success(let event): out.append(event.type)
      case .failure(let error): out.append("error: \(error.description)")
      }
    }
    var start = 0
    for cut in cuts + [input.count] where cut >= start {
      input[start..<cut].withUnsafeBytes { reader.feed($0, collect) }
      start = cut
    }
    reader.finish(collect)
    return out
  }

  @Test func malformedLinesAreNamedByNumberAndReadingGoesOn() {
    let out = Self.read(Self.input, cuts: [])
    #expect(out.count == 5)
    #expect(out[0] == "start" && out[1] == "chunk" && out[4] == "complete")
    #expect(out[2].hasPrefix("error: line 3: invalid JSON"))
    #expect(out[3] == "error: line 5: a chunk event needs \"content\"")
  }

  @Test func everySplitReadsTheSame() {
    let whole = Self.read(Self.input, cuts: [])
    for cut in 0...Self.input.count { #expect(Self.read(Self.input, cuts: [cut]) == whole, "cut \(cut)") }
    #expect(Self.read(Self.input, cuts: Array(1..<Self.input.count)) == whole)
  }

  @Test func overlongLinesAreErrorsWithTheirNumber() {
    let input = Array(("{\"type\":\"x\"}\n" + String(repeating: "y", count: 100) + "\n{\"type\":\"z\"}\n").utf8)
    #expect(Self.read(input, cuts: [], maxLine: 50) == ["x", "error: line 2 is longer than 50 bytes", "z"])
  }
}
