import Testing

@testable import TGPTTools

@Suite struct OutputPiecesTests {
  let sample = Array("a é € 😀 z".utf8)

  @Test func anySplitOfTheBytesGivesWholeCharactersAndTheSameText() {
    for first in 0...sample.count {
      for second in first...sample.count {
        var pieces = UTF8Pieces()
        let parts = [sample[..<first], sample[first..<second], sample[second...]].map { part in
          Array(part).withUnsafeBytes { pieces.text(of: $0) }
        }
        let text = parts.joined() + pieces.finish()
        #expect(text == "a é € 😀 z", "split at \(first), \(second)")
        #expect(!parts.contains { $0.contains("\u{FFFD}") }, "split at \(first), \(second)")
      }
    }
  }

  @Test func anIncompleteCharacterAtTheEndIsReplaced() {
    var pieces = UTF8Pieces()
    let text = ([0x61, 0xE2, 0x82] as [UInt8]).withUnsafeBytes { pieces.text(of: $0) }
    #expect(text == "a")
    #expect(pieces.finish() == "\u{FFFD}")
  }

  @Test func theCapKeepsWholeCharactersWithinTheLimitAndTakesNoMore() {
    for limit in 1...sample.count {
      var output = CappedOutput(limit: limit)
      var streamed = ""
      for byte in sample { streamed += [byte].withUnsafeBytes { output.take($0) } }
      streamed += output.finish()
      let expected = String(
        decoding: sample[..<UTF8Pieces.completePrefixLength(Array(sample[..<limit]))], as: UTF8.self)
      #expect(output.isCut == (limit < sample.count), "limit \(limit)")
      #expect(streamed == expected && output.text == expected, "limit \(limit)")
    }
  }
}
