import Testing

@testable import TGPTRender

@Suite struct TableCellsTests {
  /// ASCII rows take the byte path; a `é` in the row sends the same row down the character path.
  @Test(arguments: [
    ("| a | b |", ["a", "b"]),
    ("a | b", ["a", "b"]),
    ("|a|", ["a"]),
    ("|", [""]),
    ("", [""]),
    ("| `x|y` | \\| z \\n |", ["`x|y`", "| z \\n"]),
    ("  |\tleft\t|  right  |  ", ["left", "right"]),
    ("| a | b\\", ["a", "b\\"]),
    ("| a || c |", ["a", "", "c"]),
  ])
  func splitsRowsTheSameOnBothPaths(row: String, expected: [String]) {
    #expect(TableLayout.cells(row) == expected)
    func accent(_ text: String) -> String { String(text.map { $0 == "a" ? "é" : $0 }) }
    #expect(TableLayout.cells(accent(row)) == expected.map(accent))
  }

  /// The longest word sets a column's narrowest width; ASCII rows are split on bytes.
  @Test func longestWordIsTheSameOnBothPaths() {
    let ascii: [Row] = [[Span("ab cdef"), Span("g", Style(bold: true))], [], [Span("  x  yz ")]]
    #expect(TableLayout.longestWord(ascii) == 5)
    let accented: [Row] = [[Span("ab cdéf"), Span("g", Style(bold: true))], [], [Span("  x  yz ")]]
    #expect(TableLayout.longestWord(accented) == 5)
    #expect(TableLayout.longestWord([]) == 0)
    #expect(TableLayout.longestWord([[Span("a b")], [Span("日本語 x")]]) == 6)
  }
}
