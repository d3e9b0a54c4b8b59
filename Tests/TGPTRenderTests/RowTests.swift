import Testing

@testable import TGPTRender

/// A row is one byte buffer with styled runs; it must read and encode as the spans it was made of.
@Suite struct RowTests {
  static let bold = Style(bold: true)

  @Test func readsBackAsItsSpans() {
    var row: Row = [Span("ab"), Span("日本", Self.bold)]
    row.append(Span("", Self.bold))
    #expect(row.count == 3, "append keeps an empty run, as an array of spans did")
    #expect(Array(row) == [Span("ab"), Span("日本", Self.bold), Span("", Self.bold)])
    #expect(row.width == 6)
    #expect(row.plainText == "ab日本")
    row.removeLast()
    row.removeLast()
    #expect(row == [Span("ab")])
    #expect(row.width == 2)
  }

  @Test func appendMergingJoinsRunsOfOneStyle() {
    var row: Row = []
    row.appendMerging(Span("a", Self.bold))
    row.appendMerging(Array("bc".utf8)[...], Self.bold, width: 2)
    row.appendMerging(Span(""))
    row.appendMerging(Span("d"))
    #expect(Array(row) == [Span("abc", Self.bold), Span("d")])
    let joined = row + [Span("e")] + row
    #expect(Array(joined) == [Span("abc", Self.bold), Span("d"), Span("e"), Span("abc", Self.bold), Span("d")])
    #expect(([] + row) == row)
    #expect(
      Array(row.mapStyles { $0.merged(with: Style(dim: true)) }).map(\.style) == [
        Style(bold: true, dim: true), Style(dim: true),
      ])
  }

  @Test func encodesEachRunWithItsStyle() {
    var writer = TerminalWriter(mode: .appendOnly, hyperlinks: false)
    var out: [UInt8] = []
    writer.write(committed: [[Span("a", Self.bold), Span("b", Self.bold), Span("c")]], open: nil, into: &out)
    #expect(String(decoding: out, as: UTF8.self) == "\u{1B}[0;1ma\u{1B}[0;1mb\u{1B}[0mc\n")
  }

  @Test func truncatesAtGraphemes() {
    let row: Row = [Span("ab"), Span("日本語", Self.bold), Span("x")]
    #expect(Array(truncate(row, to: 5)) == [Span("ab"), Span("日", Self.bold)])
    #expect(truncate(row, to: 9) == row)
  }
}

@Suite struct StyleSGRTests {
  /// Every combination of attributes and colour finds its own sequence in the table.
  @Test func theTableHoldsEachStylesSequence() {
    let colors: [Style.Color?] = [nil] + (0..<16).map { Style.Color(rawValue: UInt8($0)) }
    for flags in 0..<32 {
      for color in colors {
        let style = Style(
          bold: flags & 1 != 0, dim: flags & 2 != 0, italic: flags & 4 != 0, underline: flags & 8 != 0,
          strikethrough: flags & 16 != 0, foreground: color, link: flags == 3 ? "https://example.com" : nil)
        var expected: [UInt8] = []
        style.appendSGR(to: &expected)
        #expect(Style.sgrSequences[style.sgrIndex] == expected, "flags \(flags), colour \(String(describing: color))")
      }
    }
  }
}
