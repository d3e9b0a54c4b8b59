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
}
