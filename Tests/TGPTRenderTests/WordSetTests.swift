import Testing

@testable import TGPTRender

@Suite struct WordSetTests {
  @Test func looksWordsUpByTheirBytes() {
    let set: WordSet = ["if", "in", "associatedtype", "select"]
    #expect(set.contains(ArraySlice("if".utf8)))
    #expect(set.contains(ArraySlice("associatedtype".utf8)))
    #expect(!set.contains(ArraySlice("it".utf8)))
    #expect(!set.contains(ArraySlice("i".utf8)))
    #expect(!set.contains(ArraySlice("associatedtypes".utf8)))
    #expect(!set.contains(ArraySlice("SELECT".utf8)))
    #expect(set.contains(ArraySlice("SELECT".utf8), lowercasing: true))
    let empty: WordSet = []
    #expect(!empty.contains(ArraySlice("if".utf8)))
  }

  @Test func caseInsensitiveKeywordsFollowUnicodeLowercasing() {
    var sql = Highlighter(info: "sql", theme: .standard)
    // U+212A KELVIN SIGN lowercases to "k", as the string lookup did.
    let row = sql.highlight("LI\u{212A}E x")
    #expect(row.first?.text == "LI\u{212A}E")
    #expect(row.first?.style == Theme.standard.keyword)
  }
}
