import Testing

@testable import TGPTRender

@Suite struct DisplayWidthTests {
  @Test(arguments: [
    ("abc", 3), ("中文", 4), ("Ａ", 2), ("e\u{301}", 1), ("🚀", 2), ("❤️", 2), ("👨‍👩‍👧", 2), ("🇯🇵", 2), ("\u{200B}", 0),
    ("한국어", 6), ("…", 1), ("👍🏽", 2), ("☺︎", 1), ("\t", 0), ("日本語のテキスト", 16), ("é", 1), ("ｶﾀｶﾅ", 4),
  ])
  func widths(_ text: String, _ width: Int) {
    #expect(DisplayWidth.of(text) == width, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
  }

  /// Mixed text is measured by ASCII bytes and non-ASCII stretches; the sum must be that of its
  /// grapheme clusters, also where a cluster joins ASCII (a prepended mark, a keycap, CR LF).
  @Test(arguments: [
    "abc 日本語のテキスト and emoji 🚀✨ ok", "a\u{301}b", "1\u{FE0F}\u{20E3}x", "x\u{0600}12y", "\u{0600}",
    "日\r\nb", "é", "ab\u{200D}c", "🇯🇵x🇫🇷", "ｶﾀｶﾅ x", "a\tb\u{7F}c中", "日\u{FE0E}x", "か\u{3099}x", "a日\u{200D}🚀",
    "日🇯🇵本", "\u{0600}日", "日本", "┼─┼ │ a•b “x” é", "•\u{FE0F}x", "é\u{301}x", "─\u{20DD}",
  ])
  func mixedTextSumsItsClusters(_ text: String) {
    #expect(DisplayWidth.of(text) == text.reduce(0) { $0 + DisplayWidth.of($1) }, "\(text.debugDescription)")
  }
}

@Suite struct SanitizerTests {
  static func clean(_ chunks: [String]) -> String {
    var sanitizer = Sanitizer()
    return chunks.map { sanitizer.clean($0) }.joined()
  }

  /// The quick scan reads eight bytes at a time: a control at any offset of a long printable
  /// run must still be found.
  @Test(arguments: ["\u{1B}", "\u{7F}", "\u{1F}", "\u{00}", "\u{9B}", "\u{202E}"])
  func findsAControlAtAnyOffset(_ control: String) {
    for offset in 0..<20 {
      let before = String(repeating: "a", count: offset)
      let after = String(repeating: "b", count: 20 - offset)
      let cleaned = Self.clean([before + control + after])
      #expect(cleaned.allSatisfy { $0 == "a" || $0 == "b" }, "offset \(offset)")
    }
  }

  @Test func removesEscapeSequencesEvenWhenSplit() {
    let text = "a\u{1B}[31mred\u{1B}[0m b\u{1B}]8;;http://x\u{1B}\\link\u{1B}]8;;\u{1B}\\ c\u{1B}]52;c;Zm9v\u{07} d"
    let expected = "ared blink c d"
    #expect(Self.clean([text]) == expected)
    let scalars = Array(text.unicodeScalars)
    for cut in 0...scalars.count {
      let parts = [
        String(String.UnicodeScalarView(scalars[..<cut])), String(String.UnicodeScalarView(scalars[cut...])),
      ]
      #expect(Self.clean(parts) == expected, "cut \(cut)")
    }
  }

  @Test func brokenSequencesGiveTheirTextBack() {
    #expect(Self.clean(["line one\u{1B}\nline two"]) == "line one\nline two")
    #expect(Self.clean(["a\u{1B}[日本語 text"]) == "a日本語 text")
    #expect(Self.clean(["x\u{1B}]52;c;unterminated\nnext line"]) == "x\nnext line")
    #expect(Self.clean(["y\u{1B}]" + String(repeating: "z", count: 5000) + "after"]).hasSuffix("after"))
  }

  @Test func removesControlsC1AndBidiButKeepsNewlinesAndTabs() {
    #expect(Self.clean(["a\u{07}b\u{08}c\rd\u{7F}e\u{9B}31mf\u{202E}g\u{2066}h\ni\tj"]) == "abcdefgh\ni\tj")
    #expect(Self.clean(["\u{90}device control\u{9C}after"]) == "after")
    #expect(Self.clean(["x\u{1B}Py\u{1B}\\z"]) == "xz")
    #expect(Self.clean(["plain text, 日本語, 😀"]) == "plain text, 日本語, 😀")
  }
}

@Suite struct HighlighterTests {
  static func render(_ lines: [String], _ language: String) -> [Row] {
    var highlighter = Highlighter(info: language, theme: .standard)
    return lines.map { highlighter.highlight($0) }
  }

  static func style(of word: String, in row: some Sequence<Span>) -> Style? {
    row.first { $0.text.contains(word) }?.style
  }

  @Test func blockCommentsAndStringsCarryAcrossLines() {
    let rows = Self.render(["let a = 1 /* start", "still comment */ let b = \"\"\"", "inside", "\"\"\" + x"], "swift")
    let theme = Theme.standard
    #expect(Self.style(of: "still comment", in: rows[1]) == theme.comment)
    #expect(Self.style(of: "let", in: Array(rows[1].dropFirst())) == theme.keyword)
    #expect(rows[2] == [Span("inside", theme.string)])
    #expect(Self.style(of: "x", in: Array(rows[3].dropFirst())) == .plain)
  }

  @Test func keywordsStringsNumbersAndCommentsPerLanguage() {
    let theme = Theme.standard
    let python = Self.render(["def f(x): return 'a' + 42  # note"], "python")[0]
    #expect(Self.style(of: "def", in: python) == theme.keyword)
    #expect(Self.style(of: "'a'", in: python) == theme.string)
    #expect(Self.style(of: "42", in: python) == theme.number)
    #expect(Self.style(of: "# note", in: python) == theme.comment)
    let sql = Self.render(["select * from t -- all"], "sql")[0]
    #expect(Self.style(of: "select", in: sql) == theme.keyword)
    #expect(Self.style(of: "-- all", in: sql) == theme.comment)
    let json = Self.render([#"{"key": "value", "n": 1, "t": true}"#], "json")[0]
    #expect(Self.style(of: "\"key\"", in: json) == theme.punctuationKey)
    #expect(Self.style(of: "\"value\"", in: json) == theme.string)
    let diff = Self.render(["+added", "-removed", "@@ -1 +1 @@"], "diff")
    #expect(diff.map { $0.first?.style } == [theme.inserted, theme.deleted, theme.hunk])
    let shell = Self.render(["echo \"$HOME\" # c", "x=a#b"], "bash")
    #expect(Self.style(of: "# c", in: shell[0]) == theme.comment)
    #expect(Self.style(of: "#b", in: shell[1]) == .plain, "# inside a word is not a comment")
  }

  @Test func unknownLanguagesAndLongLinesStayPlain() {
    #expect(Self.render(["func x() {}"], "brainfuck") == [[Span("func x() {}")]])
    let long = "let " + String(repeating: "x", count: Highlighter.longLine)
    #expect(Self.render([long], "swift") == [[Span(long)]])
  }

  @Test func tabsExpandToFourColumnStops() {
    #expect(expandTabs("\tx") == "    x")
    #expect(expandTabs("ab\tc") == "ab  c")
    #expect(expandTabs("日\tx") == "日  x")
  }
}

@Suite struct LayoutTests {
  static func lines(_ text: String, width: Int) -> [String] {
    var renderer = MarkdownRenderer(width: width)
    renderer.feed(text)
    renderer.finish()
    return renderer.takeCommitted().map(\.plainText)
  }

  @Test func wrapsAtWordsWithHangingIndent() {
    #expect(Self.lines("- one two three four five six", width: 12) == ["• one two", "  three four", "  five six"])
  }

  @Test func breaksBetweenCJKCharacters() {
    #expect(Self.lines("日本語のテキストです", width: 8) == ["日本語の", "テキスト", "です"])
  }

  @Test func splitsWordsLongerThanTheRowAtGraphemes() {
    #expect(Self.lines("abcdefghij👍🏽z", width: 8) == ["abcdefgh", "ij👍🏽z"])
  }

  @Test func emphasisFollowsFlankingRules() {
    var renderer = MarkdownRenderer(width: 80)
    renderer.feed("a*b*c snake_case_name 2 * 3 **x** _y_ ~~z~~ \\*lit\\*\n")
    renderer.finish()
    let row = renderer.takeCommitted()[0]
    #expect(row.plainText == "abc snake_case_name 2 * 3 x y z *lit*")
    let theme = Theme.standard
    #expect(row.first { $0.text == "b" }?.style == theme.italic)
    #expect(row.first { $0.text == "x" }?.style == theme.bold)
    #expect(row.first { $0.text == "z" }?.style == theme.strikethrough)
  }

  @Test func unclosedCodeSpansAndLinksAreShownAsTyped() {
    #expect(Self.lines("an `open span and [a link](http://x", width: 80) == ["an `open span and [a link](http://x"])
    #expect(Self.lines("[text] (not a link)", width: 80) == ["[text] (not a link)"])
  }

  @Test func linksCarryTheirURLWhenHyperlinksAreOn() {
    var renderer = MarkdownRenderer(width: 80, hyperlinks: true)
    renderer.feed("see [the docs](https://example.org/a_b) now\n")
    renderer.finish()
    let row = renderer.takeCommitted()[0]
    #expect(row.first { $0.text == "the docs" }?.style.link == "https://example.org/a_b")
  }

  @Test func linksShowTheirAddressWhenNoHyperlinkCanBeMade() {
    #expect(
      Self.lines("see [the docs](https://example.org/a) now", width: 80) == ["see the docs (https://example.org/a) now"]
    )
    #expect(
      Self.lines("<https://x.org> [https://x.org](https://x.org)", width: 80) == ["<https://x.org> https://x.org"])
  }

  @Test func headingsDropTheirClosingHashes() {
    #expect(Self.lines("## Title ##\n# C# #\n### #hashtag\n", width: 80) == ["Title", "C#", "#hashtag"])
  }

  @Test func bulletsThatStartWithMarkersAreStillBullets() {
    #expect(
      Self.lines("* **Term**: x\n- --flag\n- - -\n* * *\n", width: 10) == [
        "• Term: x", "• --flag", "──────────", "──────────",
      ])
  }

  @Test func theOpenRowNeverExceedsTheWidthEvenWithTabs() {
    var renderer = MarkdownRenderer(width: 20)
    renderer.feed("| a\t\t\t\t\t\t\t\tx")
    #expect((renderer.openRow ?? []).width <= 20)
    renderer.feed("\n\n```swift\nlet x = \"" + String(repeating: "y", count: 500))
    #expect((renderer.openRow ?? []).width <= 20)
  }

  @Test func spacesBeforeNonASCIITextAreBreakPoints() {
    #expect(Self.lines("aaaa bbbbbb “cccc” dd", width: 14) == ["aaaa bbbbbb", "“cccc” dd"])
    #expect(Self.lines("abcdefghijkl 中文", width: 12) == ["abcdefghijkl", "中文"])
  }

  /// CJK is placed from its bytes only when it is a grapheme of its own: 本 with VS15 is one
  /// column, so the line fits a row of eight.
  @Test func wideCharactersJoinedByAMarkAreMeasuredWhole() {
    #expect(Self.lines("日日日本\u{FE0E}a", width: 8) == ["日日日本\u{FE0E}a"])
  }

  @Test func tablesNeedADelimiterRow() {
    #expect(Self.lines("| a | b |\nnot a table\n", width: 80) == ["| a | b |", "not a table"])
    #expect(Self.lines("| a | b |\n|---|---|\n| 1 | 2 |\n", width: 80) == ["a │ b", "──┼──", "1 │ 2"])
  }

  @Test func aTableThatCannotFitBecomesKeyValueRows() {
    let table =
      "| Key | Value |\n|---|---|\n| " + String(repeating: "k", count: 30) + " | " + String(repeating: "v", count: 30)
      + " |\n"
    let lines = Self.lines(table, width: 30)
    #expect(lines.first?.hasPrefix("Key:") == true)
    #expect(lines.contains { $0.hasPrefix("Value:") })
    #expect(lines.allSatisfy { DisplayWidth.of($0) <= 30 })
  }
}

@Suite struct TerminalWriterTests {
  @Test func extendsTheOpenRowInsteadOfRedrawing() {
    var writer = TerminalWriter(mode: .live, hyperlinks: false)
    var out: [UInt8] = []
    writer.write(committed: [], open: [Span("Hel")], into: &out)
    writer.write(committed: [], open: [Span("Hello")], into: &out)
    #expect(String(decoding: out, as: UTF8.self) == "Hello")
    writer.write(committed: [[Span("Hello world")]], open: [Span("ne")], into: &out)
    #expect(String(decoding: out, as: UTF8.self) == "Hello world\nne")
  }

  @Test func redrawsWithCarriageReturnAndEraseNeverPadding() {
    var writer = TerminalWriter(mode: .live, hyperlinks: false)
    var out: [UInt8] = []
    writer.write(committed: [], open: [Span("abc")], into: &out)
    writer.write(committed: [], open: [Span("ab"), Span("cd", Style(bold: true))], into: &out)
    #expect(String(decoding: out, as: UTF8.self) == "abc\r\u{1B}[Kab\u{1B}[0;1mcd\u{1B}[0m")
  }

  @Test func closeLeavesTheCursorAtALineStart() {
    var writer = TerminalWriter(mode: .live, hyperlinks: false)
    var out: [UInt8] = []
    writer.write(committed: [], open: [Span("half", Style(bold: true))], into: &out)
    writer.close(into: &out)
    #expect(String(decoding: out, as: UTF8.self).hasSuffix("\u{1B}[0m\n"))
  }
}
