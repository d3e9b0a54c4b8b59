import Testing

@testable import TGPTEvents

@Suite struct NDJSONSplitterTests {
  enum Item: Equatable {
    case line(String, Int)
    case overlong(Int)
  }

  static func split(_ input: [UInt8], cuts: [Int], maxLine: Int = 1 << 20) -> [Item] {
    var splitter = NDJSONSplitter(maxLineBytes: maxLine)
    var items: [Item] = []
    let collect = { (item: NDJSONSplitter.Item) in
      switch item {
      case .line(let bytes, let number): items.append(.line(String(decoding: bytes, as: UTF8.self), number))
      case .overlong(let number, _): items.append(.overlong(number))
      }
    }
    var start = 0
    for cut in cuts + [input.count] where cut >= start {
      input[start..<cut].withUnsafeBytes { splitter.feed($0, collect) }
      start = cut
    }
    splitter.finish(collect)
    return items
  }

  static let input = Array("{\"a\":1}\n\n{\"b\":\"é😀\"}\r\n  \n{\"c\":3}".utf8)

  @Test func splitsLinesAndCountsBlankOnes() {
    #expect(
      Self.split(Self.input, cuts: [])
        == [.line("{\"a\":1}", 1), .line("{\"b\":\"é😀\"}", 3), .line("{\"c\":3}", 5)])
  }

  @Test func everySingleSplitGivesTheSameResult() {
    let whole = Self.split(Self.input, cuts: [])
    for cut in 0...Self.input.count {
      #expect(Self.split(Self.input, cuts: [cut]) == whole, "cut at \(cut)")
    }
  }

  @Test func everyPairOfSplitsGivesTheSameResult() {
    let whole = Self.split(Self.input, cuts: [])
    for first in 0...Self.input.count {
      for second in first...Self.input.count {
        #expect(Self.split(Self.input, cuts: [first, second]) == whole)
      }
    }
  }

  @Test func byteByByteGivesTheSameResult() {
    #expect(Self.split(Self.input, cuts: Array(1..<Self.input.count)) == Self.split(Self.input, cuts: []))
  }

  @Test func overlongLinesAreReportedSkippedAndCounted() {
    let input = Array("short\n\(String(repeating: "x", count: 50))\nafter\n".utf8)
    let expected: [Item] = [.line("short", 1), .overlong(2), .line("after", 3)]
    #expect(Self.split(input, cuts: [], maxLine: 20) == expected)
    for cut in 0...input.count {
      #expect(Self.split(input, cuts: [cut], maxLine: 20) == expected, "cut at \(cut)")
    }
    #expect(Self.split(input, cuts: Array(1..<input.count), maxLine: 20) == expected)
  }

  @Test func aLineOfExactlyTheLimitEndingInCRLFIsAcceptedWhereverItIsSplit() {
    let input = Array((String(repeating: "z", count: 20) + "\r\nnext\n").utf8)
    let expected: [Item] = [.line(String(repeating: "z", count: 20), 1), .line("next", 2)]
    #expect(Self.split(input, cuts: [], maxLine: 20) == expected)
    for cut in 0...input.count {
      #expect(Self.split(input, cuts: [cut], maxLine: 20) == expected, "cut at \(cut)")
    }
  }

  @Test func acceptsEightMebibyteLines() {
    let big = "{\"content\":\"" + String(repeating: "y", count: (8 << 20) - 20) + "\"}\n"
    let items = Self.split(Array(big.utf8), cuts: [100, 65536, 4 << 20], maxLine: NDJSONSplitter.defaultMaxLineBytes)
    #expect(items.count == 1)
    if case .line(let text, 1)? = items.first {
      #expect(text.utf8.count == big.utf8.count - 1)
    } else {
      Issue.record("no line")
    }
  }
}
